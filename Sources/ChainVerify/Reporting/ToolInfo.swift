/// The tool's name and version, as reports carry them.
public enum ToolInfo {
    /// The program name.
    public static let name = "chain-audit"
    /// The release version.
    public static let version = "0.1.0"
    /// The version of the JSON report layout (docs/report.md).
    public static let reportVersion = 1
}
