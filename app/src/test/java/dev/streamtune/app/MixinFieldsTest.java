package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every options holder a command declares is a picocli mixin: a field of an options type without {@code @Mixin} is
 * never filled, and the command dies with a NullPointerException at run time (as {@code up} once did after a merge).
 */
class MixinFieldsTest {
    @Test
    void everyOptionsFieldOfEveryCommandIsAMixinAndFilledWhenParsed() {
        List<String> missing = new ArrayList<>();
        CommandLine root = new CommandLine(new Streamtune());
        for (CommandLine sub : root.getSubcommands().values()) {
            Object command = sub.getCommand();
            for (Field field : command.getClass().getDeclaredFields()) {
                String type = field.getType().getSimpleName();
                boolean optionsHolder = type.endsWith("Options") || type.endsWith("Option");
                if (optionsHolder && !field.isAnnotationPresent(CommandLine.Mixin.class)) {
                    missing.add(command.getClass().getSimpleName() + "." + field.getName());
                }
            }
        }
        assertThat(missing).as("options fields without @Mixin").isEmpty();
        // and parsing fills them: up's and serve's bind address has its default
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs();
        assertThat(up.bind).isNotNull();
        assertThat(up.bind.bindAddress).isEqualTo("127.0.0.1");
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("trainer");
        assertThat(serve.bind).isNotNull();
        assertThat(serve.keys).isNotNull();
        assertThat(serve.limits).isNotNull();
    }
}
