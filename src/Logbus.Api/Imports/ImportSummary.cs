using Logbus.Contracts;

namespace Logbus.Api.Imports;

/// <summary>What one upload did, as it goes.</summary>
public sealed class ImportSummary(Guid importId)
{
    private readonly List<ImportLineError> _errors = [];

    public Guid ImportId { get; } = importId;

    public long LinesRead { get; set; }

    public long Accepted { get; set; }

    public long Rejected { get; private set; }

    public int Chunks { get; set; }

    public bool Cancelled { get; set; }

    public IReadOnlyList<ImportLineError> Errors => _errors;

    public void Reject(long line, string reason, int keep)
    {
        Rejected++;
        if (_errors.Count < keep)
        {
            _errors.Add(new ImportLineError(line, reason));
        }
    }
}
