namespace Logbus.Query.TutorialCompatibility;

/// <summary>The page object a Spring Data <c>Page</c> serializes to, as the tutorial's clients read it.</summary>
public sealed record SpringPage<T>(
    IReadOnlyList<T> Content,
    long TotalElements,
    int TotalPages,
    int Number,
    int Size,
    bool First,
    bool Last,
    int NumberOfElements,
    bool Empty)
{
    public static SpringPage<T> Of(IReadOnlyList<T> content, long total, int page, int size)
    {
        var pages = (int)((total + size - 1) / size);
        return new SpringPage<T>(content, total, pages, page, size, page == 0, page >= pages - 1, content.Count, content.Count == 0);
    }
}
