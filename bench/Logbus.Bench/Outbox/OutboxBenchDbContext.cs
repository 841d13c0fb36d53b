using Microsoft.EntityFrameworkCore;

namespace Logbus.Bench.Outbox;

/// <summary>
/// The benchmark's own messaging tables and business table, in schema <see cref="Schema"/>, so a running Logbus (whose
/// delivery service drains <c>messaging</c>) never takes the benchmark's rows.
/// </summary>
internal sealed class OutboxBenchDbContext(DbContextOptions<OutboxBenchDbContext> options) : DbContext(options)
{
    public const string Schema = "bench_outbox";

    public DbSet<BenchItem> Items => Set<BenchItem>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddPgOutboxEntities(Schema);
        modelBuilder.Entity<BenchItem>(e =>
        {
            e.ToTable("items", Schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.Payload).HasColumnName("payload");
        });
    }
}
