using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Data;

/// Stores a <see cref="JobStatus"/> as its lower-case name ("queued", "running", …), the text the status columns
/// have always held; text that names no status reads as failed.
public sealed class JobStatusConverter() : ValueConverter<JobStatus, string>(
    status => status.ToText(),
    text => JobStatuses.FromText(text));
