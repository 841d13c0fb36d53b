namespace Logbus.Query.WebUi;

/// <summary>Where the built log explorer is (section <c>WebUi</c>).</summary>
public sealed class WebUiOptions
{
    public const string Section = "WebUi";

    /// <summary>
    /// A folder holding the built UI's <c>index.html</c>. Unset: the copy the build put beside the service
    /// (<c>ui/</c>), else the front-end project's own output (<c>web/dist</c> under the content root), so a UI rebuilt
    /// with <c>npm run build</c> shows without rebuilding the service.
    /// </summary>
    public string? Root { get; set; }
}
