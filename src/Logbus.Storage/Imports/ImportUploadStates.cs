namespace Logbus.Storage.Imports;

/// <summary>How the upload behind an idempotency key ended, as <c>import_idempotency_keys.upload_state</c> stores it.</summary>
public static class ImportUploadStates
{
    /// <summary>The Api is reading the file (or its process died while it was).</summary>
    public const string Uploading = nameof(Uploading);

    /// <summary>The whole file was read and committed: a retry is answered with this import.</summary>
    public const string Received = nameof(Received);

    /// <summary>The upload broke off or hit a limit: a retry imports again.</summary>
    public const string Failed = nameof(Failed);

    /// <summary>A cancel stopped the upload: a retry imports again.</summary>
    public const string Cancelled = nameof(Cancelled);
}
