package dev.shardline.examples.cli;

import picocli.CommandLine;

/** The {@code --app} flag's rule: it names DynamoDB tables, so 3 to 255 of a-z A-Z 0-9 _ . - */
public final class ApplicationName {
    private ApplicationName() {
    }

    /** Returns {@code app}, or throws the usage error that names the flag and the limit. */
    public static String check(CommandLine commandLine, String app) {
        if (app == null || !app.matches("[a-zA-Z0-9_.-]{3,255}")) {
            throw new CommandLine.ParameterException(commandLine, "--app must be 3 to 255 of a-z A-Z 0-9 _ . - (it"
                    + " names the DynamoDB lease table), was '" + app + "'");
        }
        return app;
    }
}
