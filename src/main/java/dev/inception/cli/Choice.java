package dev.inception.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

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
        throw new UsageException(option + " must be " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(" or ")) + ", got '" + value + "'");
    }
}
