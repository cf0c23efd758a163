package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped seccomp profile (deploy/seccomp/clb-ingress-dataplane.json) is one its writer,
 * hack/seccomp-profile.py, makes: given strace counts of exactly the calls the profile names, it
 * writes the committed file byte for byte. That holds only while every call of the writer's EXTRA
 * list is in the file and the file's rules (the conditional clone, clone3 and the default answered
 * ENOSYS, the architectures) are the writer's, so an edit of one without the other fails here.
 * Counts without io_uring's calls are refused.
 */
class SeccompProfileFileTest {

  @Test
  void theShippedProfileIsWhatItsWriterMakesOfTheCallsItAllows(@TempDir Path record) throws Exception {
    assumeTrue(Processes.available("python3"), "python3 is needed (.ci/run installs it)");
    JsonNode profile = new ObjectMapper().readTree(SeccompProfileE2ETest.PROFILE.toFile());
    List<String> calls = new ArrayList<>();
    profile.get("syscalls").forEach(rule -> rule.get("names").forEach(name -> calls.add(name.asText())));
    assertThat(calls).contains("io_uring_setup", "clone", "clone3");
    Files.writeString(record.resolve("calls.1.txt"), straceCounts(calls));

    Path written = record.resolve("profile.json");
    Processes.Run run = Processes.run(SeccompProfileE2ETest.ROOT,
        List.of("python3", "hack/seccomp-profile.py", record.toString(), written.toString()), 60);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(Files.readString(written)).isEqualTo(Files.readString(SeccompProfileE2ETest.PROFILE));

    Files.writeString(record.resolve("calls.1.txt"), straceCounts(calls.stream()
        .filter(call -> !call.startsWith("io_uring")).toList()));
    Processes.Run refused = Processes.run(SeccompProfileE2ETest.ROOT,
        List.of("python3", "hack/seccomp-profile.py", record.toString(), written.toString()), 60);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr()).contains("the io_uring run made no io_uring_enter io_uring_register io_uring_setup");
  }

  /** What {@code strace -c} writes for a process that made each of {@code calls} ten times. */
  private static String straceCounts(List<String> calls) {
    return "% time     seconds  usecs/call     calls    errors syscall\n"
        + "------ ----------- ----------- --------- --------- ----------------\n"
        + calls.stream().map(call -> "  1.00    0.000010           1        10         1 " + call + "\n")
            .collect(Collectors.joining())
        + "------ ----------- ----------- --------- --------- ----------------\n"
        + "100.00    0.001000           1      1000        10 total\n";
  }
}
