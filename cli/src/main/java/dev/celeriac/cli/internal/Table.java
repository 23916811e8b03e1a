package dev.celeriac.cli.internal;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Rows in columns as wide as their widest cell, for people; {@code --json} gives scripts the API's own answer. */
public final class Table {

    /** Longest a cell is shown before it is cut. */
    private static final int MAX_CELL = 60;

    private final List<String> headings;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headings) {
        this.headings = List.of(headings);
    }

    /** A column of {@link #of}: its heading, and the field of each item it shows. */
    public record Column(String heading, String field) {}

    /** One row per item of a JSON array, each cell a field of the item as text. */
    public static Table of(JsonNode items, Column... columns) {
        var table = new Table(Arrays.stream(columns).map(Column::heading).toArray(String[]::new));
        for (JsonNode item : items) {
            table.row(Arrays.stream(columns)
                    .map(c -> TaskPrinter.text(item, c.field()))
                    .toArray());
        }
        return table;
    }

    public Table row(Object... cells) {
        var row = new ArrayList<String>(cells.length);
        for (Object cell : cells) {
            String text = cell == null ? "" : String.valueOf(cell).replace('\n', ' ');
            row.add(text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 1) + "…" : text);
        }
        rows.add(row);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public void print(PrintWriter out) {
        int[] widths = new int[headings.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headings.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        line(out, headings, widths);
        rows.forEach(row -> line(out, row, widths));
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] widths) {
        var text = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            text.append(cell);
            if (i < cells.size() - 1) {
                text.append(" ".repeat(widths[i] - cell.length() + 2));
            }
        }
        out.println(text.toString().stripTrailing());
    }
}
