namespace PhoenixSlt.Training;

/// Seeds derived from several integers, the same in every process and run (unlike HashCode.Combine, which is
/// randomised per process): SplitMix64 finalisers applied in sequence.
public static class DeterministicSeed
{
    public static int Mix(params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ulong state = 0x9E3779B97F4A7C15UL;
        foreach (long value in values)
            state = Finalize(state ^ unchecked((ulong)value) + 0x9E3779B97F4A7C15UL);
        return (int)(state >> 33);
    }

    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
