package dev.celeriac.testsupport.logs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * The last lines of a log file that a filter keeps, and how many it kept in all.
 *
 * @param matched how many lines of the whole file the filter kept
 * @param last the last of them, at most as many as asked for, oldest first
 */
public record LogExcerpt(int matched, List<String> last) {

    /** The whole file's lines, for a filter that keeps every line. */
    public static final Predicate<String> EVERY_LINE = line -> true;

    /** Reads {@code file} and keeps the last {@code lines} lines that {@code keep} accepts. */
    public static LogExcerpt of(Path file, Predicate<String> keep, int lines) throws IOException {
        List<String> kept = Files.readAllLines(file).stream().filter(keep).toList();
        return new LogExcerpt(kept.size(), kept.subList(Math.max(0, kept.size() - lines), kept.size()));
    }

    /** The excerpt's lines, each on a line of its own after {@code indent}. */
    public String indented(String indent) {
        var text = new StringBuilder();
        last.forEach(line -> text.append(indent).append(line).append('\n'));
        return text.toString();
    }
}
