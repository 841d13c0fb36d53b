using Logbus.Storage.Imports;
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
            e.Property(x => x.Metadata).HasColumnName("metadata").HasColumnType("jsonb").HasConversion<Utf8TextConverter>();
            e.Property(x => x.TraceId).HasColumnName("trace_id").HasMaxLength(32);
            e.Property(x => x.SpanId).HasColumnName("span_id").HasMaxLength(16);
            e.Property(x => x.Exception).HasColumnName("exception");
            e.Property(x => x.ImportId).HasColumnName("import_id");
            e.Property(x => x.ReceivedAt).HasColumnName("received_at");
            e.Property(x => x.StoredAt).HasColumnName("stored_at").HasDefaultValueSql("now()");
        });
        modelBuilder.AddPgSagaState<ImportState>("import_state", e =>
        {
            e.UseXminConcurrency(x => x.Version);
            e.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(32);
            e.Property(x => x.FileName).HasColumnName("file_name").HasMaxLength(ImportState.MaxFileNameLength);
            e.Property(x => x.Format).HasColumnName("format").HasMaxLength(16);
            e.Property(x => x.StartedBy).HasColumnName("started_by").HasMaxLength(ImportState.MaxKeyNameLength);
            e.Property(x => x.LinesRead).HasColumnName("lines_read");
            e.Property(x => x.Accepted).HasColumnName("accepted");
            e.Property(x => x.Rejected).HasColumnName("rejected");
            e.Property(x => x.Stored).HasColumnName("stored");
            e.Property(x => x.Duplicates).HasColumnName("duplicates");
            e.Property(x => x.Skipped).HasColumnName("skipped");
            e.Property(x => x.ChunksExpected).HasColumnName("chunks_expected");
            e.Property(x => x.ChunksStored).HasColumnName("chunks_stored");
            e.Property(x => x.ChunksSeen).HasColumnName("chunks_seen");
            e.Property(x => x.Errors).HasColumnName("errors").HasColumnType("jsonb");
            e.Property(x => x.FailureReason).HasColumnName("failure_reason");
            e.Property(x => x.UploadFailed).HasColumnName("upload_failed");
            e.Property(x => x.StartedAt).HasColumnName("started_at");
            e.Property(x => x.ReceivedAt).HasColumnName("received_at");
            e.Property(x => x.FinishedAt).HasColumnName("finished_at");
            e.Property(x => x.LastProgressAt).HasColumnName("last_progress_at");
            e.Property(x => x.CancelRequestedAt).HasColumnName("cancel_requested_at");
            e.HasIndex(x => x.StartedAt).HasDatabaseName("ix_import_state_started_at");
            e.HasIndex(x => new { x.CurrentState, x.LastProgressAt }).HasDatabaseName("ix_import_state_active");
        }, schema: "public");
        modelBuilder.Entity<ImportIdempotencyKey>(e =>
        {
            e.ToTable("import_idempotency_keys");
            e.HasKey(x => x.Key).HasName("pk_import_idempotency_keys");
            e.Property(x => x.Key).HasColumnName("key").HasMaxLength(400);
            e.Property(x => x.ImportId).HasColumnName("import_id");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.UploadState).HasColumnName("upload_state").HasMaxLength(16);
            e.Property(x => x.LinesRead).HasColumnName("lines_read");
            e.Property(x => x.Accepted).HasColumnName("accepted");
            e.Property(x => x.Rejected).HasColumnName("rejected");
        });
    }
}
