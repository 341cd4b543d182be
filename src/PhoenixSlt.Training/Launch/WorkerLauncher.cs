using System.Diagnostics;
using System.Globalization;

namespace PhoenixSlt.Training.Launch;

/// One worker process to start: its rank, the executable, its arguments and the environment variables set on top
/// of the launcher's own.
public sealed record WorkerProcess(int Rank, string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);

/// A worker could not be started or exited with a non-zero code. <see cref="Rank"/> is the first worker that
/// failed; <see cref="ExitCode"/> is null when it could not be started.
public sealed class WorkerLaunchException(string message, int rank, int? exitCode, Exception? inner = null) : Exception(message, inner)
{
    public int Rank { get; } = rank;
    public int? ExitCode { get; } = exitCode;
}

/// Starts the workers of a data-parallel run and waits for them. Output lines are handed to callbacks (called
/// under one lock, so they need no synchronisation of their own). When a worker exits with a non-zero code the
/// others get <c>grace</c> to finish (they usually fail on their own once a peer is gone) and are then killed;
/// cancellation kills every worker at once.
public static class WorkerLauncher
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    /// Runs <paramref name="workers"/> to the end. Throws <see cref="WorkerLaunchException"/> naming the first
    /// worker that failed, or <see cref="OperationCanceledException"/> after killing all workers on cancellation.
    public static async Task RunAsync(
        IReadOnlyList<WorkerProcess> workers,
        Action<int, string> standardOutput,
        Action<int, string> standardError,
        TimeSpan? grace = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentNullException.ThrowIfNull(standardOutput);
        ArgumentNullException.ThrowIfNull(standardError);
        if (workers.Count == 0)
            throw new ArgumentException("no workers to launch", nameof(workers));
        var gate = new Lock();
        var processes = new List<(WorkerProcess Worker, Process Process)>();
        try
        {
            foreach (var worker in workers)
                processes.Add((worker, Start(worker, gate, standardOutput, standardError)));
            await WaitAsync(processes, grace ?? DefaultGrace, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (_, process) in processes)
            {
                KillQuietly(process);
                process.Dispose();
            }
        }
    }

    /// "exited with code 3", or "was killed by signal 9 (exit code 137)" for the shell's 128 + signal codes.
    public static string DescribeExit(int exitCode) =>
        exitCode is > 128 and < 160 && !OperatingSystem.IsWindows()
            ? string.Create(CultureInfo.InvariantCulture, $"was killed by signal {exitCode - 128} (exit code {exitCode})")
            : string.Create(CultureInfo.InvariantCulture, $"exited with code {exitCode}");

    private static async Task WaitAsync(List<(WorkerProcess Worker, Process Process)> processes, TimeSpan grace, CancellationToken cancellationToken)
    {
        // A list, not a dictionary keyed by task: WaitForExitAsync of a process that has already exited returns the
        // shared completed task, so two finished workers can have the same task.
        var pending = processes.Select(p => (Exit: p.Process.WaitForExitAsync(CancellationToken.None), p.Worker, p.Process)).ToList();
        while (pending.Count > 0)
        {
            Task exited;
            try
            {
                exited = await Task.WhenAny(pending.Select(p => p.Exit)).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await KillAllAsync(pending).ConfigureAwait(false);
                throw;
            }
            int index = pending.FindIndex(p => ReferenceEquals(p.Exit, exited));
            var (_, worker, process) = pending[index];
            pending.RemoveAt(index);
            if (process.ExitCode == 0)
                continue;
            try
            {
                await Task.WhenAll(pending.Select(p => p.Exit)).WaitAsync(grace, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                await KillAllAsync(pending).ConfigureAwait(false);
            }
            throw new WorkerLaunchException(
                string.Create(CultureInfo.InvariantCulture, $"worker rank {worker.Rank} {DescribeExit(process.ExitCode)}; the other workers were stopped"),
                worker.Rank, process.ExitCode);
        }
    }

    private static async Task KillAllAsync(List<(Task Exit, WorkerProcess Worker, Process Process)> pending)
    {
        foreach (var (_, _, process) in pending)
            KillQuietly(process);
        await Task.WhenAll(pending.Select(p => p.Exit)).WaitAsync(DefaultGrace).ConfigureAwait(false);
    }

    private static Process Start(WorkerProcess worker, Lock gate, Action<int, string> standardOutput, Action<int, string> standardError)
    {
        var info = new ProcessStartInfo(worker.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (string argument in worker.Arguments)
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in worker.Environment)
            info.Environment[name] = value;
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Forward(gate, standardOutput, worker.Rank, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(gate, standardError, worker.Rank, e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new WorkerLaunchException($"cannot start worker rank {worker.Rank} ({worker.FileName}): {e.Message}", worker.Rank, null, e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Forward(Lock gate, Action<int, string> target, int rank, string? line)
    {
        if (line is null)
            return;
        lock (gate)
            target(rank, line);
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // already gone
        }
    }
}
