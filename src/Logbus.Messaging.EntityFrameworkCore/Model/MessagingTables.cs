using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>
/// The quoted, schema-qualified names of the messaging tables as a DbContext's model maps them, for the raw SQL
/// (row locks, <c>SKIP LOCKED</c>, upserts) that LINQ cannot express. Names come from the model, never from input.
/// </summary>
internal sealed class MessagingTables
{
    private static readonly ConditionalWeakTable<IModel, MessagingTables> Cache = [];

    private MessagingTables(IModel model)
    {
        Inbox = QualifiedName(model, typeof(InboxState));
        Outbox = QualifiedName(model, typeof(OutboxState));
        Messages = QualifiedName(model, typeof(OutboxMessage));
        Parked = QualifiedName(model, typeof(ParkedOutboxMessage));
        var schema = model.FindEntityType(typeof(OutboxState))!.GetSchema() ?? "public";
        NotificationChannel = $"{schema}_outbox";
    }

    /// <summary><c>inbox_state</c>, quoted and qualified.</summary>
    public string Inbox { get; }

    /// <summary><c>outbox_state</c>, quoted and qualified.</summary>
    public string Outbox { get; }

    /// <summary><c>outbox_message</c>, quoted and qualified.</summary>
    public string Messages { get; }

    /// <summary><c>outbox_parked</c>, quoted and qualified.</summary>
    public string Parked { get; }

    /// <summary>The LISTEN/NOTIFY channel that announces committed bus-outbox rows of this schema.</summary>
    public string NotificationChannel { get; }

    public static MessagingTables For(DbContext db) => Cache.GetValue(db.Model, model => new MessagingTables(model));

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string QualifiedName(IModel model, Type entity)
    {
        var type = model.FindEntityType(entity)
            ?? throw new InvalidOperationException(
                $"{entity.Name} is not in the model of this DbContext: call modelBuilder.AddPgOutboxEntities() in OnModelCreating.");
        var schema = type.GetSchema();
        var table = type.GetTableName()!;
        return schema is null ? Quote(table) : $"{Quote(schema)}.{Quote(table)}";
    }
}
