namespace PhoenixSlt.Training.Tests.Phases;

/// One small synthetic dataset (12 train, 4 dev, 3 test clips) shared by the tests of a class.
public sealed class SyntheticDatasetFixture : IDisposable
{
    private readonly TempFolder _folder = new("phoenix-training-data");

    public SyntheticDatasetFixture() => DataDir = TrainingTestData.Synthetic(_folder.Combine("data"), train: 12, dev: 4, test: 3);

    public string DataDir { get; }

    public void Dispose() => _folder.Dispose();
}
