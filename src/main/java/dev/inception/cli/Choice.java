package dev.inception.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** An option whose value names an enum constant: case-insensitive, and a usage error (exit 2) that lists them. */
final class Choice {

    private Choice() {
    }

    static <E extends Enum<E>> E of(Class<E> type, String value, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        String allowed = names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        throw new UsageException(option + " must be " + allowed + ", got '" + value + "'");
    }
}
