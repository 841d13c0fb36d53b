using Microsoft.EntityFrameworkCore;

namespace Logbus.Storage;

/// <summary>
/// The Logbus database. <c>log_events</c> is created by hand-written SQL in the migrations (EF cannot declare a
/// partitioned table); the model here maps it for reading and keeps the migrations' snapshot honest.
/// </summary>
public class LogbusDbContext(DbContextOptions<LogbusDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__logbus_migrations";

    public DbSet<LogEvent> LogEvents => Set<LogEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.AddPgOutboxEntities();
        modelBuilder.Entity<LogEvent>(e =>
        {
            e.ToTable("log_events");
            e.HasKey(x => new { x.Id, x.Timestamp }).HasName("pk_log_events");
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(64);
            e.Property(x => x.Timestamp).HasColumnName("timestamp");
            e.Property(x => x.Level).HasColumnName("level").HasMaxLength(5);
            e.Property(x => x.Message).HasColumnName("message");
            e.Property(x => x.Source).HasColumnName("source").HasMaxLength(200);
            e.Property(x => x.Metadata).HasColumnName("metadata").HasColumnType("jsonb");
            e.Property(x => x.TraceId).HasColumnName("trace_id").HasMaxLength(32);
            e.Property(x => x.SpanId).HasColumnName("span_id").HasMaxLength(16);
            e.Property(x => x.Exception).HasColumnName("exception");
            e.Property(x => x.ImportId).HasColumnName("import_id");
            e.Property(x => x.ReceivedAt).HasColumnName("received_at");
            e.Property(x => x.StoredAt).HasColumnName("stored_at").HasDefaultValueSql("now()");
        });
    }
}
