namespace McpGateway.Hosting;

/// <summary>A plain, space-aligned text table: readable in a terminal and easy to grep or cut in a script.</summary>
internal static class TablePrinter
{
    private const int MaxCellWidth = 60;

    public static void Write(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var cells = rows.Select(row => row.Select(Shorten).ToArray()).ToList();
        var widths = headers.Select((header, column) => cells.Select(row => row[column].Length).Append(header.Length).Max()).ToArray();
        WriteRow(output, headers, widths);
        foreach (var row in cells)
        {
            WriteRow(output, row, widths);
        }
    }

    private static void WriteRow(TextWriter output, IReadOnlyList<string> cells, int[] widths)
    {
        var line = string.Join("  ", cells.Select((cell, column) => cell.PadRight(widths[column])));
        output.WriteLine(line.TrimEnd());
    }

    // Long command lines and URLs would push every other column off screen; --json has the full values.
    private static string Shorten(string cell)
    {
        var flat = cell.ReplaceLineEndings(" ");
        return flat.Length <= MaxCellWidth ? flat : string.Concat(flat.AsSpan(0, MaxCellWidth - 1), "…");
    }
}
