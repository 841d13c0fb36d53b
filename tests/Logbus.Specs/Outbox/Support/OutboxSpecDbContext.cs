using Microsoft.EntityFrameworkCore;

namespace Logbus.Specs.Outbox.Support;

/// <summary>
/// A DbContext of the specs' own: the messaging tables exactly as the Logbus migration created them (schema
/// <c>messaging</c>), plus a business table and a saga table in schema <c>spec</c> that <see cref="OutboxSpecSchema"/> creates.
/// </summary>
public sealed class OutboxSpecDbContext : DbContext
{
    public OutboxSpecDbContext(DbContextOptions<OutboxSpecDbContext> options, StaleInboxSeed? stale = null)
        : base(options)
    {
        if (stale?.Row is { } row)
        {
            Attach(row.Copy());
        }
    }

    public DbSet<ProcessedItem> ProcessedItems => Set<ProcessedItem>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddPgOutboxEntities();
        modelBuilder.Entity<ProcessedItem>(e =>
        {
            e.ToTable("processed_items", "spec");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.ItemId).HasColumnName("item_id");
            e.Property(x => x.MessageId).HasColumnName("message_id");
        });
        modelBuilder.AddPgSagaState<CounterState>("counter_state", e =>
        {
            e.Property(x => x.CurrentState).HasColumnName("current_state");
            e.Property(x => x.Count).HasColumnName("count");
            e.UseXminConcurrency(x => x.Version);
        }, schema: "spec");
    }
}
