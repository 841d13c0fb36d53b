using System.Linq.Expressions;
using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds the messaging tables (inbox, outbox, saga state) to any DbContext, in a schema of their own.</summary>
public static class MessagingModelBuilderExtensions
{
    public const string DefaultSchema = "messaging";

    /// <summary>The sequence that numbers outbox messages; a block of this many values is taken per round trip.</summary>
    public const int SequenceBlockSize = 100;

    /// <summary>
    /// Adds <c>inbox_state</c>, <c>outbox_state</c> and <c>outbox_message</c> to the model. Migrations generated from
    /// the model create them; the runtime reads the schema back from the model, so nothing else needs to know it.
    /// </summary>
    public static ModelBuilder AddPgOutboxEntities(this ModelBuilder modelBuilder, string schema = DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);

        modelBuilder.Entity<InboxState>(e =>
        {
            e.ToTable("inbox_state", schema);
            e.HasKey(x => new { x.MessageId, x.ConsumerId }).HasName("pk_inbox_state");
            e.Property(x => x.MessageId).HasColumnName("message_id").ValueGeneratedNever();
            e.Property(x => x.ConsumerId).HasColumnName("consumer_id").ValueGeneratedNever();
            e.Property(x => x.Received).HasColumnName("received");
            e.Property(x => x.ReceiveCount).HasColumnName("receive_count");
            e.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
            e.Property(x => x.Consumed).HasColumnName("consumed");
            e.Property(x => x.Delivered).HasColumnName("delivered");
            e.Property(x => x.LastSequenceNumber).HasColumnName("last_sequence_number");
            // Cleanup past the duplicate window walks this index.
            e.HasIndex(x => x.Delivered).HasDatabaseName("ix_inbox_state_delivered");
            // Consumed but never delivered: what the stranded-row rule and its metric look at, a small set.
            e.HasIndex(x => x.Consumed).HasDatabaseName("ix_inbox_state_undelivered").HasFilter("delivered IS NULL");
        });

        modelBuilder.Entity<OutboxState>(e =>
        {
            e.ToTable("outbox_state", schema);
            e.HasKey(x => x.OutboxId).HasName("pk_outbox_state");
            e.Property(x => x.OutboxId).HasColumnName("outbox_id").ValueGeneratedNever();
            e.Property(x => x.Created).HasColumnName("created");
            e.Property(x => x.Attempts).HasColumnName("attempts");
            e.Property(x => x.NextAttempt).HasColumnName("next_attempt");
            e.HasIndex(x => x.Created).HasDatabaseName("ix_outbox_state_created");
        });

        modelBuilder.Entity<ParkedOutboxMessage>(e =>
        {
            e.ToTable("outbox_parked", schema);
            e.HasKey(x => x.SequenceNumber).HasName("pk_outbox_parked");
            e.Property(x => x.SequenceNumber).HasColumnName("sequence_number").ValueGeneratedNever();
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.OutboxId).HasColumnName("outbox_id");
            e.Property(x => x.SentTime).HasColumnName("sent_time");
            e.Property(x => x.Headers).HasColumnName("headers");
            e.Property(x => x.Properties).HasColumnName("properties");
            e.Property(x => x.ContentType).HasColumnName("content_type");
            e.Property(x => x.MessageType).HasColumnName("message_type");
            e.Property(x => x.Body).HasColumnName("body");
            e.Property(x => x.DestinationAddress).HasColumnName("destination_address");
            e.Property(x => x.Reason).HasColumnName("reason");
            e.Property(x => x.Error).HasColumnName("error");
            e.Property(x => x.Parked).HasColumnName("parked");
        });

        modelBuilder.HasSequence<long>("outbox_message_sequence", schema).IncrementsBy(SequenceBlockSize);
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_message", schema);
            e.HasKey(x => x.SequenceNumber).HasName("pk_outbox_message");
            e.Property(x => x.SequenceNumber).HasColumnName("sequence_number").UseHiLo("outbox_message_sequence", schema);
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.InboxMessageId).HasColumnName("inbox_message_id");
            e.Property(x => x.InboxConsumerId).HasColumnName("inbox_consumer_id");
            e.Property(x => x.OutboxId).HasColumnName("outbox_id");
            e.Property(x => x.SentTime).HasColumnName("sent_time");
            e.Property(x => x.EnqueueTime).HasColumnName("enqueue_time");
            e.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
            e.Property(x => x.Headers).HasColumnName("headers");
            e.Property(x => x.Properties).HasColumnName("properties");
            e.Property(x => x.ContentType).HasColumnName("content_type");
            e.Property(x => x.MessageType).HasColumnName("message_type");
            e.Property(x => x.Body).HasColumnName("body");
            e.Ignore(x => x.BodyUtf8);
            e.Property(x => x.ConversationId).HasColumnName("conversation_id");
            e.Property(x => x.CorrelationId).HasColumnName("correlation_id");
            e.Property(x => x.InitiatorId).HasColumnName("initiator_id");
            e.Property(x => x.RequestId).HasColumnName("request_id");
            e.Property(x => x.SourceAddress).HasColumnName("source_address");
            e.Property(x => x.DestinationAddress).HasColumnName("destination_address");
            e.Property(x => x.ResponseAddress).HasColumnName("response_address");
            e.Property(x => x.FaultAddress).HasColumnName("fault_address");
            e.HasIndex(x => new { x.InboxMessageId, x.InboxConsumerId, x.SequenceNumber })
                .HasDatabaseName("ix_outbox_message_inbox").IsUnique().HasFilter("inbox_message_id IS NOT NULL");
            e.HasIndex(x => new { x.OutboxId, x.SequenceNumber })
                .HasDatabaseName("ix_outbox_message_outbox").IsUnique().HasFilter("outbox_id IS NOT NULL");
        });

        return modelBuilder;
    }

    /// <summary>
    /// Maps a saga's state to a table keyed by <c>correlation_id</c>. Map the remaining columns in
    /// <paramref name="configure"/>; for optimistic concurrency also call <see cref="UseXminConcurrency{TSaga}"/>.
    /// </summary>
    public static ModelBuilder AddPgSagaState<TSaga>(this ModelBuilder modelBuilder, string table, Action<EntityTypeBuilder<TSaga>>? configure = null,
        string schema = DefaultSchema)
        where TSaga : class, ISaga
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        modelBuilder.Entity<TSaga>(e =>
        {
            e.ToTable(table, schema);
            e.HasKey(x => x.CorrelationId).HasName($"pk_{table}");
            e.Property(x => x.CorrelationId).HasColumnName("correlation_id").ValueGeneratedNever();
            configure?.Invoke(e);
        });
        return modelBuilder;
    }

    /// <summary>
    /// Uses PostgreSQL's <c>xmin</c> system column as the saga's concurrency token: no real column, and every update
    /// of the row changes it, so a writer that loaded an older version fails with a concurrency conflict.
    /// </summary>
    public static EntityTypeBuilder<TSaga> UseXminConcurrency<TSaga>(this EntityTypeBuilder<TSaga> entity, Expression<Func<TSaga, uint>> version)
        where TSaga : class
    {
        ArgumentNullException.ThrowIfNull(entity);
        entity.Property(version).IsRowVersion();
        return entity;
    }
}
