using System.Runtime.CompilerServices;
using Logbus.Query.Search;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Export;

/// <summary>
/// Every event a search selects, in the search's order, read a keyset page at a time: memory stays at one page however
/// many events match, and each page is a short query under the Query service's read limits (no long-held connection or
/// transaction).
/// </summary>
public sealed class LogExporter(LogSearchStore store, IOptions<ExportOptions> options)
{
    public async IAsyncEnumerable<IReadOnlyList<LogEventView>> PagesAsync(LogSearchFilter filter, SearchOrder order,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SearchCursor? after = null;
        while (true)
        {
            var page = await store.SearchAsync(new LogSearchRequest(filter, order, options.Value.PageSize, after), cancellationToken);
            if (page.Items.Count > 0)
            {
                yield return page.Items;
            }

            if (page.NextCursor is null)
            {
                yield break;
            }

            after = new SearchCursor(page.Items[^1].Timestamp, page.Items[^1].Id);
        }
    }
}
