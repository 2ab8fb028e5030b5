package io.camelfs.cli;

import io.camelfs.runtime.NodeRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = "Start a node from Camel YAML DSL files (bricks, volumes, routes)."
        + " Without files, runs the embedded quickstart: a replica-2 volume in this one process.")
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.yaml", arity = "0..*", description = "YAML DSL files of this node")
    List<String> files = new ArrayList<>();

    @Override
    public Integer call() {
        return NodeRuntime.run(files, System.err);
    }
}
