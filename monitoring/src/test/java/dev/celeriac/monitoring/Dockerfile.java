package dev.celeriac.monitoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The repository's Dockerfile, read stage by stage (instructions with their continuation lines joined). */
final class Dockerfile {

    /** A build stage: its base, name and instructions in order ({@code COPY --from=build a b}, {@code USER x}, ...). */
    record Stage(String from, String name, List<String> instructions) {

        List<String> all(String keyword) {
            return instructions.stream()
                    .filter(i -> i.startsWith(keyword + " "))
                    .map(i -> i.substring(keyword.length() + 1).strip())
                    .toList();
        }

        /** The exec-form ENTRYPOINT. */
        List<String> entrypoint() {
            List<String> entrypoints = all("ENTRYPOINT");
            if (entrypoints.size() != 1 || !entrypoints.getFirst().startsWith("[")) {
                throw new AssertionError("stage " + name + " needs exactly one exec-form ENTRYPOINT");
            }
            return JsonMapper.builder().build().readValue(entrypoints.getFirst(), new TypeReference<List<String>>() {});
        }

        /** Files copied from another stage: path in the image to path in that stage. */
        Map<String, String> copiedFromStages() {
            var copies = new LinkedHashMap<String, String>();
            for (String copy : all("COPY")) {
                // Flags first (--from, --chown, ...), then the source and the destination.
                List<String> words = List.of(copy.split("\\s+"));
                List<String> paths =
                        words.stream().filter(w -> !w.startsWith("--")).toList();
                if (words.stream().anyMatch(w -> w.startsWith("--from=")) && paths.size() == 2) {
                    copies.put(paths.get(1), paths.get(0));
                }
            }
            return copies;
        }
    }

    private static final Pattern FROM =
            Pattern.compile("FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE);

    private final List<Stage> stages;

    private Dockerfile(List<Stage> stages) {
        this.stages = stages;
    }

    static Dockerfile load() {
        return parse(Repository.read("Dockerfile"));
    }

    static Dockerfile parse(String text) {
        var stages = new ArrayList<Stage>();
        var joined = new ArrayList<String>();
        var current = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            joined.add(current.toString().replaceAll("\\s+", " ").strip());
            current.setLength(0);
        }
        for (String instruction : joined) {
            Matcher from = FROM.matcher(instruction);
            if (from.matches()) {
                stages.add(new Stage(from.group(1), from.group(2), new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.getLast().instructions().add(instruction);
            }
        }
        return new Dockerfile(stages);
    }

    List<Stage> stages() {
        return stages;
    }

    Stage stage(String name) {
        return stages.stream()
                .filter(s -> name.equals(s.name()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the Dockerfile has no stage " + name));
    }

    /** The stages a stage builds on, itself first. */
    List<Stage> lineage(String name) {
        var chain = new ArrayList<Stage>();
        Stage stage = stage(name);
        chain.add(stage);
        while (stages.stream()
                .anyMatch(s -> stage(chain.getLast().name()).from().equals(s.name()))) {
            chain.add(stage(chain.getLast().from()));
        }
        return chain;
    }
}
