namespace Logbus.Query.Search;

public enum SearchOrder
{
    NewestFirst,
    OldestFirst,
}
