namespace PhoenixSlt.Training.Denoising;

/// Poisson-distributed integers by Knuth's multiplication method (exact for the small means used here).
public static class PoissonSampler
{
    /// One draw from Poisson(<paramref name="lambda"/>) using <paramref name="random"/>.
    public static int Sample(double lambda, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(lambda > 0) || lambda > 30)
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "the mean must be in (0, 30] for this method");
        double limit = Math.Exp(-lambda);
        double product = random.NextDouble();
        int k = 0;
        while (product > limit)
        {
            k++;
            product *= random.NextDouble();
        }
        return k;
    }
}
