using System.Globalization;
using System.Numerics;

namespace PhoenixSlt.Core.Metrics;

/// <summary>
/// Python's fixed-point float formatting (<c>f"{x:.2f}"</c>): the exact binary value rounded half-to-even.
/// .NET's "F2" rounds exact ties away from zero (0.125 → "0.13" where Python prints "0.12"), so sacrebleu's
/// score strings are reproduced with this instead.
/// </summary>
public static class PythonFormat
{
    /// <summary>Formats <paramref name="value"/> with <paramref name="digits"/> decimals, as Python's
    /// <c>format(value, f".{digits}f")</c> does (invariant culture, "-0.00" for small negatives).</summary>
    public static string Fixed(double value, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";

        bool negative = double.IsNegative(value);
        (BigInteger numerator, BigInteger denominator) = ExactScaled(Math.Abs(value), digits);
        BigInteger quotient = BigInteger.DivRem(numerator, denominator, out BigInteger remainder);
        int half = (remainder * 2).CompareTo(denominator);
        if (half > 0 || (half == 0 && !quotient.IsEven)) quotient += 1;

        string text = quotient.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        string result = digits == 0 ? text : $"{text[..^digits]}.{text[^digits..]}";
        return negative ? "-" + result : result;
    }

    // |value| * 10^digits as an exact fraction numerator / denominator.
    private static (BigInteger Numerator, BigInteger Denominator) ExactScaled(double magnitude, int digits)
    {
        long bits = BitConverter.DoubleToInt64Bits(magnitude);
        int exponentBits = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xFFFFFFFFFFFFFL;
        long mantissa = exponentBits == 0 ? fraction : fraction | (1L << 52);
        int exponent = (exponentBits == 0 ? 1 : exponentBits) - 1075; // value = mantissa * 2^exponent

        BigInteger numerator = mantissa * BigInteger.Pow(10, digits);
        return exponent >= 0
            ? (numerator << exponent, BigInteger.One)
            : (numerator, BigInteger.One << -exponent);
    }
}
