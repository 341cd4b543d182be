using System.Text;

namespace PhoenixSlt.Core.Data.Synthetic;

/// xoshiro256** (Blackman &amp; Vigna, "Scrambled linear pseudorandom number generators", 2018) seeded
/// through SplitMix64. The synthetic dataset uses its own generator rather than System.Random because the
/// output must be byte-identical for a seed on every .NET version and platform.
public sealed class SynthRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SynthRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = StableHash.SplitMix64(ref x);
        _s1 = StableHash.SplitMix64(ref x);
        _s2 = StableHash.SplitMix64(ref x);
        _s3 = StableHash.SplitMix64(ref x);
    }

    /// A generator for one named stream, e.g. ("sample", seed, "train", 17): same parts, same numbers.
    public static SynthRandom For(string stream, params long[] parts) => new(StableHash.Of(stream, parts));

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// Uniform in [0, 1) with 53 random bits.
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// Uniform in [0, 1) with 24 random bits.
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// Uniform integer in [0, maxExclusive) (multiply-shift; the bias is below 2^-32).
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);
    }

    /// Uniform integer in [minInclusive, maxExclusive).
    public int NextInt(int minInclusive, int maxExclusive) => minInclusive + NextInt(maxExclusive - minInclusive);

    public float Uniform(float min, float max) => min + (max - min) * NextFloat();

    public bool Chance(double probability) => NextDouble() < probability;

    /// Standard normal sample (quantile table with 65,536 levels, tails cut at about ±4.3σ).
    public float NextGaussian() => GaussianTable.Values[(int)(NextUInt64() >> 48)];

    /// exp(N(0, sigma²)): a multiplicative jitter around 1.
    public float LogNormal(float sigma) => MathF.Exp(sigma * NextGaussian());

    /// Fills dst with N(0, sigma²) samples, four samples per 64 random bits.
    public void FillGaussian(Span<float> dst, float sigma)
    {
        var table = GaussianTable.Values;
        int i = 0;
        for (; i + 4 <= dst.Length; i += 4)
        {
            ulong r = NextUInt64();
            dst[i] = sigma * table[(int)(r & 0xFFFF)];
            dst[i + 1] = sigma * table[(int)((r >> 16) & 0xFFFF)];
            dst[i + 2] = sigma * table[(int)((r >> 32) & 0xFFFF)];
            dst[i + 3] = sigma * table[(int)(r >> 48)];
        }
        for (; i < dst.Length; i++)
            dst[i] = sigma * NextGaussian();
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];

    /// Index drawn with probability proportional to weights[i].
    public int PickWeighted(ReadOnlySpan<double> weights)
    {
        double total = 0;
        foreach (double w in weights) total += w;
        double u = NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.Length - 1;
    }

    /// A random unit vector of the given dimension (isotropic direction).
    public float[] UnitVector(int dim)
    {
        var v = new float[dim];
        FillGaussian(v, 1f);
        VectorMath.Normalize(v);
        return v;
    }
}

/// Platform-independent 64-bit hashing (FNV-1a over UTF-8, finished with the SplitMix64 mixer), used to
/// derive per-gloss, per-signer and per-sample random streams.
public static class StableHash
{
    public static ulong Of(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    public static ulong Of(string stream, params long[] parts)
    {
        ulong h = Of(stream);
        foreach (long p in parts)
            h = Mix(h ^ Mix(unchecked((ulong)p) + 0x9E3779B97F4A7C15UL));
        return h;
    }

    /// SplitMix64 finaliser (Steele, Lea &amp; Flood 2014).
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }
}

/// Standard normal quantiles at (i + 0.5) / 65536, computed once with Acklam's rational approximation
/// of the inverse normal CDF (relative error below 1.2e-9).
internal static class GaussianTable
{
    public static readonly float[] Values = Build();

    private static float[] Build()
    {
        var t = new float[65536];
        for (int i = 0; i < t.Length; i++)
            t[i] = (float)InverseNormalCdf((i + 0.5) / t.Length);
        return t;
    }

    internal static double InverseNormalCdf(double p)
    {
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}

/// Small dense-vector helpers for the feature simulator.
internal static class VectorMath
{
    public static void Normalize(Span<float> v)
    {
        double sum = 0;
        foreach (float x in v) sum += (double)x * x;
        if (sum <= 0) return;
        float inv = (float)(1 / Math.Sqrt(sum));
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
    }

    /// dst += w * src
    public static void AddScaled(Span<float> dst, ReadOnlySpan<float> src, float w)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] += w * src[i];
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return (float)s;
    }

    public static float SmoothStep(float t) => t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
}
