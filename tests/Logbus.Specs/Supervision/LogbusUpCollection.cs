namespace Logbus.Specs.Supervision;

/// <summary>
/// The specs that run <c>./logbus up</c> run one at a time and beside no other spec: each stack starts six processes,
/// and how fast a killed one is back is what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LogbusUpCollection
{
    public const string Name = "./logbus up";
}
