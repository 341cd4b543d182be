using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PhoenixSlt.Web.Data;

/// Used by `dotnet ef migrations add` only: a context without starting the portal.
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PhoenixDbContext>
{
    public PhoenixDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PhoenixDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
