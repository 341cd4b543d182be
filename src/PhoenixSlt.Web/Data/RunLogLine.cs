namespace PhoenixSlt.Web.Data;

/// One line of a run's log (table "run_log_lines"): the CLI's standard error and the supervisor's own notes.
public sealed class RunLogLine
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public DateTime Time { get; set; }

    /// info, warning or error.
    public string Level { get; set; } = "info";

    public string Text { get; set; } = "";
}
