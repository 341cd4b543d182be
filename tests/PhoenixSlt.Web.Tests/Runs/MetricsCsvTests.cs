using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public class MetricsCsvTests
{
    [Fact]
    public void Format_Points_OneInvariantLinePerPointAfterTheHeader()
    {
        var time = new DateTime(2025, 5, 4, 10, 0, 1, DateTimeKind.Utc);
        MetricValue[] points = [new("slt", 1, 0, "loss", 4.25, time), new("slt", 2, 0, "lr_encoder", 0.0001, time)];

        string csv = MetricsCsv.Format(points);

        Assert.Equal(
            "stage,step,epoch,name,value,time\n" +
            "slt,1,0,loss,4.25,2025-05-04T10:00:01.0000000Z\n" +
            "slt,2,0,lr_encoder,0.0001,2025-05-04T10:00:01.0000000Z\n", csv);
    }

    [Fact]
    public void Format_NameWithComma_IsQuoted()
    {
        string csv = MetricsCsv.Format([new MetricValue("slt", 1, 0, "a,\"b\"", 1, DateTime.UnixEpoch)]);

        Assert.Contains("slt,1,0,\"a,\"\"b\"\"\",1,", csv);
    }
}
