namespace Logbus.Storage.Writing;

/// <summary>What writing a set of events did: how many rows are new, and how many were already stored.</summary>
public readonly record struct StoredCounts(int Stored, int Duplicates)
{
    public int Total => Stored + Duplicates;
}
