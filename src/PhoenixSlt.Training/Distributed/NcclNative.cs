using System.Runtime.InteropServices;

namespace PhoenixSlt.Training.Distributed;

/// ncclUniqueId: 128 opaque bytes (NCCL_UNIQUE_ID_BYTES), passed by value to ncclCommInitRank.
[StructLayout(LayoutKind.Sequential)]
internal struct NcclUniqueId
{
    public const int Size = 128;
#pragma warning disable CS0169 // opaque storage, filled by NCCL and copied as bytes
    private ulong _0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15;
#pragma warning restore CS0169

    public readonly byte[] ToBytes() => MemoryMarshal.AsBytes(new ReadOnlySpan<NcclUniqueId>(in this)).ToArray();

    public static NcclUniqueId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new DistributedException($"an NCCL unique id has {Size} bytes; the store holds {bytes.Length}", 0, "nccl_init");
        return MemoryMarshal.Read<NcclUniqueId>(bytes);
    }
}

/// ncclResult_t.
internal enum NcclResult
{
    Success = 0,
    UnhandledCudaError = 1,
    SystemError = 2,
    InternalError = 3,
    InvalidArgument = 4,
    InvalidUsage = 5,
    RemoteError = 6,
    InProgress = 7,
}

/// ncclDataType_t.
internal enum NcclDataType
{
    Int8 = 0,
    Uint8 = 1,
    Int32 = 2,
    Uint32 = 3,
    Int64 = 4,
    Uint64 = 5,
    Float16 = 6,
    Float32 = 7,
    Float64 = 8,
    Bfloat16 = 9,
}

/// ncclRedOp_t (ncclAvg since NCCL 2.10).
internal enum NcclRedOp
{
    Sum = 0,
    Prod = 1,
    Max = 2,
    Min = 3,
    Avg = 4,
}

/// P/Invoke declarations for libnccl.so.2 (NCCL 2.10 or later). Buffers are device pointers; the stream is a
/// cudaStream_t (IntPtr.Zero is the legacy default stream).
internal static class NcclNative
{
    public const string Library = "libnccl.so.2";

    [DllImport(Library, EntryPoint = "ncclGetUniqueId")]
    public static extern NcclResult GetUniqueId(out NcclUniqueId uniqueId);

    [DllImport(Library, EntryPoint = "ncclCommInitRank")]
    public static extern NcclResult CommInitRank(out IntPtr comm, int nranks, NcclUniqueId commId, int rank);

    [DllImport(Library, EntryPoint = "ncclCommDestroy")]
    public static extern NcclResult CommDestroy(IntPtr comm);

    [DllImport(Library, EntryPoint = "ncclCommAbort")]
    public static extern NcclResult CommAbort(IntPtr comm);

    [DllImport(Library, EntryPoint = "ncclCommGetAsyncError")]
    public static extern NcclResult CommGetAsyncError(IntPtr comm, out NcclResult asyncError);

    [DllImport(Library, EntryPoint = "ncclGetErrorString")]
    public static extern IntPtr GetErrorString(NcclResult result);

    [DllImport(Library, EntryPoint = "ncclAllReduce")]
    public static extern NcclResult AllReduce(IntPtr sendBuffer, IntPtr receiveBuffer, nuint count, NcclDataType dataType, NcclRedOp op, IntPtr comm, IntPtr stream);

    [DllImport(Library, EntryPoint = "ncclBroadcast")]
    public static extern NcclResult Broadcast(IntPtr sendBuffer, IntPtr receiveBuffer, nuint count, NcclDataType dataType, int root, IntPtr comm, IntPtr stream);

    [DllImport(Library, EntryPoint = "ncclAllGather")]
    public static extern NcclResult AllGather(IntPtr sendBuffer, IntPtr receiveBuffer, nuint sendCount, NcclDataType dataType, IntPtr comm, IntPtr stream);

    [DllImport(Library, EntryPoint = "ncclGroupStart")]
    public static extern NcclResult GroupStart();

    [DllImport(Library, EntryPoint = "ncclGroupEnd")]
    public static extern NcclResult GroupEnd();

    /// True when libnccl.so.2 can be loaded in this process.
    public static bool IsAvailable() => IsLoadable(Library);

    internal static bool IsLoadable(string library)
    {
        if (!NativeLibrary.TryLoad(library, out IntPtr handle))
            return false;
        NativeLibrary.Free(handle);
        return true;
    }

    public static string Describe(NcclResult result)
    {
        try
        {
            return Marshal.PtrToStringUTF8(GetErrorString(result)) ?? result.ToString();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return result.ToString();
        }
    }
}

/// The data pointer of a TorchSharp tensor (at::Tensor::data_ptr, any device), through LibTorchSharp's
/// THSTensor_data: TorchSharp exposes host bytes but no device pointer.
internal static class TensorPointers
{
    [DllImport("LibTorchSharp", EntryPoint = "THSTensor_data")]
    private static extern IntPtr THSTensor_data(IntPtr handle);

    public static IntPtr DataPointer(TorchSharp.torch.Tensor tensor)
    {
        IntPtr pointer = THSTensor_data(tensor.Handle);
        if (pointer == IntPtr.Zero && tensor.numel() > 0)
            throw new DistributedException($"could not get the data pointer of a {tensor.dtype} tensor on {tensor.device}", null, "nccl");
        return pointer;
    }
}

/// cudaSetDevice from the CUDA runtime, when a CUDA runtime library can be loaded. NCCL binds a communicator to
/// the calling thread's current device, which TorchSharp does not let us choose.
internal static class CudaRuntime
{
    private static readonly string[] Libraries = ["libcudart.so", "libcudart.so.12", "libcudart.so.13", "libcudart.so.11.0"];

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetDeviceFunction(int device);

    /// Makes <paramref name="device"/> current on this thread; false with a reason when no CUDA runtime library
    /// is loadable or the call fails.
    public static bool TrySetDevice(int device, out string? problem)
    {
        foreach (string library in Libraries)
        {
            if (!NativeLibrary.TryLoad(library, out IntPtr handle))
                continue;
            if (!NativeLibrary.TryGetExport(handle, "cudaSetDevice", out IntPtr function))
                continue;
            int status = Marshal.GetDelegateForFunctionPointer<SetDeviceFunction>(function)(device);
            problem = status == 0 ? null : $"cudaSetDevice({device}) failed with CUDA error {status}";
            return status == 0;
        }
        problem = "no CUDA runtime library (libcudart.so) could be loaded";
        return false;
    }
}
