using System.IO.Compression;
using System.Text;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Services.Translation;

namespace PhoenixSlt.Web.Tests.Translation;

public sealed class UploadValidatorTests
{
    private static readonly TranslationOptions Options = new() { MaxFrames = 8, MaxUploadBytes = 200_000, MaxFilesPerUpload = 6 };

    private static UploadedFile Kpts(byte[] content, string name = "clip.kpts.npy") => new(name, content);

    private static UploadedFile Sig(byte[] content, string name = "clip.siglip.npy") => new(name, content);

    private static string SingleProblem(UploadValidation validation)
    {
        Assert.False(validation.IsValid);
        Assert.Empty(validation.Clips);
        return Assert.Single(validation.Problems);
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                using var stream = entry.Open();
                stream.Write(content);
            }
        return buffer.ToArray();
    }

    [Fact]
    public void ValidatePair_ValidJointsAndSiglip_OneNormalisedClipNamedAfterTheKeypointsFile()
    {
        float[] joints = new float[3 * FeatureSpec.Joints * FeatureSpec.CoordsPerJoint];
        for (int i = 0; i < joints.Length; i++)
            joints[i] = (i % 11) * 0.1f;
        byte[] kpts = NpyFile.Encode(new NpyArray(joints, [3, FeatureSpec.Joints, FeatureSpec.CoordsPerJoint]), new NpyFormat(ElementType: NpyElementType.Float16, BigEndian: true, FortranOrder: true));

        var validation = UploadValidator.ValidatePair(Kpts(kpts, "dir/weather.kpts.npy"), Sig(NpyBytes.Siglip(2)), Options);

        Assert.True(validation.IsValid, string.Join("; ", validation.Problems));
        var clip = Assert.Single(validation.Clips);
        Assert.Equal("weather", clip.Name);
        Assert.Equal([3, FeatureSpec.KeypointDim], clip.Keypoints.Shape);
        Assert.Equal([2, FeatureSpec.SiglipDim], clip.Siglip.Shape);
    }

    [Theory]
    [InlineData("a.kpts.npy", "a")]
    [InlineData("a.npy", "a")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\x\\b.kpts.npy", "b")]
    [InlineData("", "clip")]
    public void ClipName_UploadedName_LastSegmentWithoutSuffix(string fileName, string expected)
        => Assert.Equal(expected, UploadValidator.ClipName(fileName));

    public static TheoryData<string, byte[], byte[], string> MalformedPairs()
    {
        byte[] kpts = NpyBytes.Keypoints(4);
        byte[] sig = NpyBytes.Siglip(3);
        byte[] f32Data = new byte[4 * FeatureSpec.KeypointDim * 4];
        return new TheoryData<string, byte[], byte[], string>
        {
            { "empty keypoints", [], sig, "clip.kpts.npy: the file is empty; upload the keypoints as a .npy file" },
            { "empty siglip", kpts, [], "clip.siglip.npy: the file is empty; upload the SigLIP features as a .npy file" },
            { "wrong magic", Encoding.ASCII.GetBytes("hello world, not numpy"), sig, "clip.kpts.npy: not a .npy file: it starts with 68 65 6C 6C 6F 20" },
            { "npz archive", Encoding.ASCII.GetBytes("PK\u0003\u0004rest of a zip"), sig, "looks like a zip/.npz archive" },
            { "truncated magic", kpts[..5], sig, "clip.kpts.npy: truncated: 5 bytes, too short for a .npy header" },
            { "ends inside header length", kpts[..9], sig, "clip.kpts.npy: truncated: the file ends inside the header length" },
            { "truncated header", kpts[..40], sig, "clip.kpts.npy: truncated: the header declares" },
            { "truncated data", kpts, sig[..^10], "clip.siglip.npy: truncated: shape (3, 768) of float32 needs 9216 data bytes but only 9206 follow the header" },
            { "extra data", [.. kpts, 1, 2, 3, 4], sig, "clip.kpts.npy: shape/data size mismatch: shape (4, 225) of float32 needs 3600 data bytes but 3604 follow the header" },
            { "version 4", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 225), }", f32Data, major: 4), sig, "unsupported .npy format version 4.0" },
            { "int32 dtype", NpyBytes.Raw("{'descr': '<i4', 'fortran_order': False, 'shape': (4, 225), }", f32Data), sig, "dtype '<i4' is not supported for features" },
            { "int64 dtype", NpyBytes.Raw("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 225), }", f32Data), sig, "dtype '<i8' is not supported for features" },
            { "bool dtype", NpyBytes.Raw("{'descr': '|b1', 'fortran_order': False, 'shape': (4, 225), }", new byte[900]), sig, "dtype '|b1' is not supported" },
            { "object dtype", NpyBytes.Raw("{'descr': '|O', 'fortran_order': False, 'shape': (4, 225), }", f32Data), sig, "object arrays (dtype '|O') are not supported" },
            { "structured dtype", NpyBytes.Raw("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (4, 225), }", f32Data), sig, "structured dtypes (records with named fields) are not supported" },
            { "header not a dict", NpyBytes.Raw("[1, 2, 3]", f32Data), sig, "header is not a dictionary" },
            { "header missing shape", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, }", f32Data), sig, "header lacks the key 'shape'" },
            { "bad fortran_order", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': 3, 'shape': (4, 225), }", f32Data), sig, "header 'fortran_order' must be True or False" },
            { "negative dimension", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (-4, 225), }", f32Data), sig, "header 'shape' must be a tuple of non-negative integers" },
            { "garbage header", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 225)", f32Data), sig, "header is not a valid dictionary literal" },
            { "keypoints 74 joints", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 74, 3), }", new byte[4 * 74 * 3 * 4]), sig, "clip.kpts.npy: keypoints must have shape (T, 75, 3) or (T, 225)" },
            { "keypoints 1-D", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (225,), }", new byte[900]), sig, "keypoints must have shape (T, 75, 3) or (T, 225)" },
            { "siglip 512 wide", kpts, NpyBytes.Array2(3, 512, 0.1f), "clip.siglip.npy: SigLIP features must have shape (T, 768); found (3, 512)" },
            { "swapped files", sig, kpts, "clip.kpts.npy: keypoints must have shape (T, 75, 3) or (T, 225) (MediaPipe Holistic: 33 pose + 21 left hand + 21 right hand joints, x/y/z); found (3, 768)" },
            { "zero frames", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 225), }", []), sig, "keypoints have 0 frames; every sample needs at least one frame" },
            { "keypoints infinity", NpyBytes.WithValue(kpts, 230, float.PositiveInfinity), sig, "clip.kpts.npy: keypoints contain an infinite value (frame 1, value 5)" },
            { "siglip NaN", kpts, NpyBytes.WithValue(sig, 770, float.NaN), "clip.siglip.npy: SigLIP features contain 1 NaN/Inf value(s), first at frame 1, dimension 2" },
            { "siglip -Inf", kpts, NpyBytes.WithValue(sig, 5, float.NegativeInfinity), "SigLIP features contain 1 NaN/Inf value(s), first at frame 0, dimension 5" },
            { "too many keypoint frames", NpyBytes.Keypoints(9), sig, "clip.kpts.npy: keypoints have 9 frames, more than the 8 accepted; cut the clip into shorter parts" },
            { "huge frame count in header", kpts, NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 768), }", new byte[16]), "clip.siglip.npy: SigLIP features have 100000000 frames, more than the 8 accepted" },
            { "2^62 frames in header", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 225), }", f32Data), sig, "clip.kpts.npy: header 'shape' dimension 0 is 4611686018427387904, more than the 2147483647 accepted per dimension" },
            { "unknown header key", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 225), 'x': 0, }", f32Data), sig, "clip.kpts.npy: header has the key 'x', which numpy does not accept (a .npy header holds exactly 'descr', 'fortran_order' and 'shape')" },
            { "keypoints all NaN", NpyBytes.Keypoints(4, float.NaN), sig, "clip.kpts.npy: keypoints have no finite joint in any of the 4 frame(s): every joint is missing (NaN, or (0, 0, 0))" },
            { "keypoints all zero", NpyBytes.Keypoints(4, 0f, varying: false), sig, "clip.kpts.npy: keypoints have no finite joint in any of the 4 frame(s)" },
            { "siglip all zero", kpts, NpyBytes.Siglip(3, 0f, varying: false), "clip.siglip.npy: SigLIP features are zero in all 3 frame(s): no frame holds an embedding" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedPairs))]
    public void ValidatePair_MalformedFile_RejectedWithItsMessage(string scenario, byte[] keypoints, byte[] siglip, string expected)
    {
        var validation = UploadValidator.ValidatePair(Kpts(keypoints), Sig(siglip), Options);

        Assert.False(validation.IsValid, scenario);
        Assert.Empty(validation.Clips);
        Assert.True(validation.Problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"{scenario}: [{string.Join(" | ", validation.Problems)}] lacks '{expected}'");
    }

    [Fact]
    public void ValidatePair_OneFramesJointsPresentOthersNaN_Accepted()
    {
        // Only frame 1's shoulders (pose 11 and 12) are present: enough to normalise, so the clip is translated.
        float[] joints = Enumerable.Repeat(float.NaN, 3 * FeatureSpec.KeypointDim).ToArray();
        foreach (var (joint, x) in new[] { (11, 0.4f), (12, 0.6f) })
        {
            int at = FeatureSpec.KeypointDim + joint * FeatureSpec.CoordsPerJoint;
            (joints[at], joints[at + 1], joints[at + 2]) = (x, 0.5f, 0f);
        }
        byte[] kpts = NpyFile.Encode(new NpyArray(joints, [3, FeatureSpec.KeypointDim]));

        var validation = UploadValidator.ValidatePair(Kpts(kpts), Sig(NpyBytes.Siglip(2)), Options);

        Assert.True(validation.IsValid, string.Join("; ", validation.Problems));
    }

    [Fact]
    public void ValidatePair_FilesOnDisk_SameClipAsFromMemory()
    {
        string folder = PhoenixSlt.Tests.TestPaths.NewTempDir("upload-files");
        try
        {
            byte[] kpts = NpyBytes.Keypoints(3), sig = NpyBytes.Siglip(2);
            File.WriteAllBytes(Path.Combine(folder, "k"), kpts);
            File.WriteAllBytes(Path.Combine(folder, "s"), sig);

            var fromDisk = UploadValidator.ValidatePair(UploadedFile.FromFile("a.kpts.npy", Path.Combine(folder, "k")), UploadedFile.FromFile("a.siglip.npy", Path.Combine(folder, "s")), Options);
            var fromMemory = UploadValidator.ValidatePair(Kpts(kpts, "a.kpts.npy"), Sig(sig, "a.siglip.npy"), Options);

            var disk = Assert.Single(fromDisk.Clips);
            var memory = Assert.Single(fromMemory.Clips);
            Assert.Equal(memory.Keypoints, disk.Keypoints);
            Assert.Equal(memory.Siglip, disk.Siglip);
        }
        finally
        {
            PhoenixSlt.Tests.TestPaths.TryDeleteDir(folder);
        }
    }

    [Fact]
    public void UncompressedBytes_ZipAndNotAZip_SumOfEntriesOrNull()
    {
        byte[] zip = Zip(("a.kpts.npy", new byte[1000]), ("a.siglip.npy", new byte[2345]));

        Assert.Equal(3345, UploadValidator.UncompressedBytes(new UploadedFile("pairs.zip", zip)));
        Assert.Null(UploadValidator.UncompressedBytes(new UploadedFile("x.zip", Encoding.ASCII.GetBytes("not a zip at all"))));
    }

    [Fact]
    public void ValidatePair_HugeHeaderLength_RejectedBeforeReadingIt()
    {
        byte[] content = [.. NpyFile.Magic.ToArray(), 2, 0, 0xFF, 0xFF, 0xFF, 0x7F, .. new byte[64]];

        var problem = SingleProblem(UploadValidator.ValidatePair(Kpts(content), Sig(NpyBytes.Siglip(2)), Options));

        Assert.Contains("clip.kpts.npy: header declares 2147483647 bytes, more than the 65536 accepted", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatePair_BothFilesBad_BothProblemsReported()
    {
        var validation = UploadValidator.ValidatePair(Kpts([]), Sig(Encoding.ASCII.GetBytes("nope")), Options);

        Assert.Equal(2, validation.Problems.Count);
        Assert.StartsWith("clip.kpts.npy: the file is empty", validation.Problems[0], StringComparison.Ordinal);
        Assert.StartsWith("clip.siglip.npy: not a .npy file", validation.Problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatePair_OverUploadLimit_RejectedNamingBothFiles()
    {
        var options = new TranslationOptions { MaxFrames = 8, MaxUploadBytes = 5000 };

        var problem = SingleProblem(UploadValidator.ValidatePair(Kpts(NpyBytes.Keypoints(4)), Sig(NpyBytes.Siglip(3)), options));

        Assert.Contains("clip.kpts.npy and clip.siglip.npy: the upload has", problem, StringComparison.Ordinal);
        Assert.Contains("more than the 5000 accepted", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatePair_ControlCharactersInName_ShownReplaced()
    {
        var problem = SingleProblem(UploadValidator.ValidatePair(Kpts([], "evil\u001b[31m.kpts.npy"), Sig(NpyBytes.Siglip(2)), Options));

        Assert.StartsWith("evil?[31m.kpts.npy: the file is empty", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateZip_TwoPairsInAFolder_ClipsInNameOrder()
    {
        byte[] zip = Zip(("set/b.kpts.npy", NpyBytes.Keypoints(2)), ("set/a.siglip.npy", NpyBytes.Siglip(3)), ("set/", []),
            ("set/a.kpts.npy", NpyBytes.Keypoints(5)), ("set/b.siglip.npy", NpyBytes.Siglip(1)));

        var validation = UploadValidator.ValidateZip(new UploadedFile("pairs.zip", zip), Options);

        Assert.True(validation.IsValid, string.Join("; ", validation.Problems));
        Assert.Equal(["a", "b"], validation.Clips.Select(c => c.Name));
        Assert.Equal([5, 2], validation.Clips.Select(c => c.KeypointFrames));
        Assert.Equal([3, 1], validation.Clips.Select(c => c.SiglipFrames));
    }

    public static TheoryData<string, byte[], string> MalformedZips()
    {
        byte[] kpts = NpyBytes.Keypoints(2);
        byte[] sig = NpyBytes.Siglip(2);
        return new TheoryData<string, byte[], string>
        {
            { "empty file", [], "pairs.zip: the file is empty; upload a zip of <name>.kpts.npy and <name>.siglip.npy pairs" },
            { "not a zip", Encoding.ASCII.GetBytes("this is plain text and no zip archive at all"), "pairs.zip: not a valid zip archive" },
            { "npy instead of zip", kpts, "pairs.zip: not a valid zip archive" },
            { "parent traversal", Zip(("../evil.kpts.npy", kpts), ("../evil.siglip.npy", sig)), "pairs.zip/../evil.kpts.npy: '..' in an entry name (path traversal) is not allowed" },
            { "nested traversal", Zip(("a/../../x.kpts.npy", kpts), ("x.siglip.npy", sig)), "pairs.zip/a/../../x.kpts.npy: '..' in an entry name (path traversal) is not allowed" },
            { "absolute name", Zip(("/etc/x.kpts.npy", kpts), ("x.siglip.npy", sig)), "pairs.zip//etc/x.kpts.npy: absolute names, drive letters and backslashes are not allowed" },
            { "backslash name", Zip(("..\\x.kpts.npy", kpts), ("x.siglip.npy", sig)), "absolute names, drive letters and backslashes are not allowed" },
            { "drive letter", Zip(("C:x.kpts.npy", kpts), ("x.siglip.npy", sig)), "pairs.zip/C:x.kpts.npy: absolute names, drive letters and backslashes are not allowed" },
            { "control characters", Zip(("x\u0007.kpts.npy", kpts), ("x.siglip.npy", sig)), "the entry name contains control characters" },
            { "unpaired keypoints", Zip(("a.kpts.npy", kpts), ("a.siglip.npy", sig), ("lonely.kpts.npy", kpts)), "pairs.zip/lonely.kpts.npy: no matching lonely.siglip.npy in the zip; every clip needs both files" },
            { "unpaired siglip", Zip(("a.kpts.npy", kpts), ("a.siglip.npy", sig), ("b.siglip.npy", sig)), "pairs.zip/b.siglip.npy: no matching b.kpts.npy in the zip" },
            { "other file", Zip(("a.kpts.npy", kpts), ("a.siglip.npy", sig), ("readme.txt", [1])), "pairs.zip/readme.txt: not a .kpts.npy or .siglip.npy file" },
            { "empty clip name", Zip((".kpts.npy", kpts), ("a.kpts.npy", kpts), ("a.siglip.npy", sig)), "the clip name before '.kpts.npy' is empty" },
            { "same name twice", Zip(("x/a.kpts.npy", kpts), ("y/a.kpts.npy", kpts), ("a.siglip.npy", sig)), "pairs.zip/y/a.kpts.npy: the zip holds 'a.kpts.npy' twice" },
            { "no pairs", Zip(("folder/", [])), "pairs.zip: the zip holds no <name>.kpts.npy / <name>.siglip.npy pairs" },
            { "too many files", Zip([.. Enumerable.Range(0, 4).SelectMany(i => new[] { ($"c{i}.kpts.npy", kpts), ($"c{i}.siglip.npy", sig) })]), "pairs.zip: the zip holds 8 files, more than the 6 accepted" },
            { "zip bomb", Zip(("a.kpts.npy", kpts), ("a.siglip.npy", new byte[5_000_000])), "bytes uncompressed, more than the 200000 accepted; split it into smaller zips" },
            { "bad array inside", Zip(("a.kpts.npy", Encoding.ASCII.GetBytes("garbage")), ("a.siglip.npy", sig)), "pairs.zip/a.kpts.npy: not a .npy file" },
            { "too many frames inside", Zip(("a.kpts.npy", kpts), ("a.siglip.npy", NpyBytes.Siglip(12))), "pairs.zip/a.siglip.npy: SigLIP features have 12 frames, more than the 8 accepted" },
            { "keypoints all NaN inside", Zip(("a.kpts.npy", NpyBytes.Keypoints(2, float.NaN)), ("a.siglip.npy", sig)), "pairs.zip/a.kpts.npy: keypoints have no finite joint in any of the 2 frame(s)" },
            { "siglip all zero inside", Zip(("a.kpts.npy", kpts), ("a.siglip.npy", NpyBytes.Siglip(2, 0f, varying: false))), "pairs.zip/a.siglip.npy: SigLIP features are zero in all 2 frame(s)" },
            { "unknown header key inside", Zip(("a.kpts.npy", kpts), ("a.siglip.npy", NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 768), 'x': 0, }", new byte[2 * 768 * 4]))), "pairs.zip/a.siglip.npy: header has the key 'x', which numpy does not accept" },
            { "entry longer than its header declares", Zip(("a.kpts.npy", [.. kpts, 9, 9, 9, 9]), ("a.siglip.npy", sig)), "pairs.zip/a.kpts.npy: shape/data size mismatch" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedZips))]
    public void ValidateZip_MalformedArchive_RejectedWithItsMessage(string scenario, byte[] zip, string expected)
    {
        var validation = UploadValidator.ValidateZip(new UploadedFile("pairs.zip", zip), Options);

        Assert.False(validation.IsValid, scenario);
        Assert.Empty(validation.Clips);
        Assert.True(validation.Problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"{scenario}: [{string.Join(" | ", validation.Problems)}] lacks '{expected}'");
    }

    [Fact]
    public void ValidateZip_OverUploadLimit_RejectedBeforeOpening()
    {
        var problem = SingleProblem(UploadValidator.ValidateZip(new UploadedFile("big.zip", new byte[Options.MaxUploadBytes + 1]), Options));

        Assert.Equal($"big.zip: the upload has {Options.MaxUploadBytes + 1} bytes, more than the {Options.MaxUploadBytes} accepted; split it into smaller zips", problem);
    }

    [Theory]
    [InlineData("a.kpts.npy", null)]
    [InlineData("dir/sub/a.kpts.npy", null)]
    [InlineData("a..b.kpts.npy", null)]
    [InlineData("../a", "path traversal")]
    [InlineData("/a", "absolute")]
    [InlineData("a\\b", "backslashes")]
    [InlineData("", "empty name")]
    public void EntryNameProblem_Name_RefusedOnlyWhenUnsafe(string name, string? expected)
    {
        string? problem = UploadValidator.EntryNameProblem(name);

        if (expected is null)
            Assert.Null(problem);
        else
            Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
