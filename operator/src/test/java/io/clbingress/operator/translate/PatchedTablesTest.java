package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.control.ControlCodec;
import io.clbingress.dataplane.control.ControlMessage;
import io.clbingress.dataplane.control.TablePatches;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.operator.publish.TableUpdater;
import io.clbingress.operator.state.ClusterState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The control channel's patches ({@link TablePatches}) over real translations: for every golden
 * case, a random series of edits (those of {@link TranslationCacheTest}) published by a
 * {@link TableUpdater}; a data plane that got the first table whole and each later one as a patch
 * (through its JSON, as the WebSocket carries it) holds each table the operator published: equal
 * records, the same version and content hash. (Cases whose edits change nothing publish one table
 * and check nothing here.)
 */
class PatchedTablesTest {

  @TestFactory
  Stream<DynamicTest> aDataPlaneFollowingPatchesHoldsEveryTablePublished() throws IOException {
    return Fixtures.perCase(PatchedTablesTest::check);
  }

  private static void check(Path dir) throws IOException {
    // Given the tables an operator publishes over a series of edits
    ClusterState original = Fixtures.fromFolder(dir);
    List<RoutingTable> published = new ArrayList<>();
    TableUpdater updater = new TableUpdater(GoldenTranslationTest.settings(dir), published::add, translation -> { },
        Clock.fixed(Fixtures.TRANSLATED_AT, ZoneOffset.UTC));
    Random random = new Random(dir.getFileName().toString().hashCode());
    ClusterState state = original;
    updater.update(state);
    for (int step = 0; step < 40; step++) {
      state = TranslationCacheTest.edit(state, original, random);
      updater.update(state);
    }
    // When a data plane gets the first whole and the others as patches against the one before
    RoutingTable held = ((ControlMessage.Table) ControlCodec.decode(
        ControlCodec.encode(new ControlMessage.Table(published.get(0))))).table();
    for (int i = 1; i < published.size(); i++) {
      String patch = ControlCodec.encode(TablePatches.between(published.get(i - 1), published.get(i)));
      held = TablePatches.apply(held, (ControlMessage.Patch) ControlCodec.decode(patch));
      // Then it holds the table published
      assertThat(held).as("version %d", published.get(i).version()).isEqualTo(published.get(i));
      assertThat(TableCodec.contentHash(held)).isEqualTo(published.get(i).hash());
    }
  }
}
