using System.Runtime.CompilerServices;
using Logbus.Messaging.EntityFrameworkCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Logbus.Messaging.EntityFrameworkCore.Saga;

/// <summary>The locking queries of a saga table, built from the EF model (names are never input).</summary>
internal sealed class SagaTable
{
    private static readonly ConditionalWeakTable<IEntityType, SagaTable> Cache = [];

    private SagaTable(IEntityType entity)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var qualified = entity.GetSchema() is { } schema
            ? $"{MessagingTables.Quote(schema)}.{MessagingTables.Quote(table.Name)}"
            : MessagingTables.Quote(table.Name);
        var key = MessagingTables.Quote(entity.FindProperty("CorrelationId")!.GetColumnName(table)!);
        // SELECT * leaves out system columns; a saga versioned by xmin needs it selected by name.
        var xmin = entity.GetProperties().Any(p => p.GetColumnName(table) == "xmin") ? ", xmin" : "";
        LockOne = $"SELECT *{xmin} FROM {qualified} WHERE {key} = {{0}} FOR UPDATE";
        LockMany = $"SELECT *{xmin} FROM {qualified} WHERE {key} = ANY({{0}}) FOR UPDATE";
    }

    /// <summary>Loads and locks one instance; <c>{0}</c> is its correlation id.</summary>
    public string LockOne { get; }

    /// <summary>Loads and locks instances; <c>{0}</c> is an array of correlation ids.</summary>
    public string LockMany { get; }

    public static SagaTable For<TSaga>(DbContext db) =>
        Cache.GetValue(db.Model.FindEntityType(typeof(TSaga))
            ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not in the model of {db.GetType().Name}: "
                + $"map it with modelBuilder.AddPgSagaState<{typeof(TSaga).Name}>()."),
            entity => new SagaTable(entity));
}
