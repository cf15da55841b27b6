package dualwan.web;

import dualwan.TestConfigs;
import dualwan.config.Config;
import dualwan.config.WebConfig;
import dualwan.model.Mode;
import dualwan.model.ModeControl;
import dualwan.model.ModeResult;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Web servers on a free loopback port for tests, with a mode API that records what it was asked. */
final class Servers {

    static final String PASSWORD = "correct horse battery staple";

    private Servers() {
    }

    /** Records each mode command and answers as the daemon would: the forced uplink (or isp1) active. */
    static final class Modes implements ModeControl {
        final List<Mode> asked = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<ModeResult> setMode(Mode mode) {
            asked.add(mode);
            return CompletableFuture.completedFuture(new ModeResult(mode, Optional.of(mode.forced().orElse("isp1")),
                    mode.auto() ? "isp1 is the best healthy uplink" : "forced by the operator"));
        }
    }

    static Config config() {
        return TestConfigs.twoWans();
    }

    static WebServer start(Optional<String> password, ModeControl modes, WebServer.Limits limits) {
        WebConfig web = new WebConfig(new InetSocketAddress("127.0.0.1", 0), Optional.empty());
        WebServer s = new WebServer(config(), web, password.map(Password::of), modes, limits);
        s.start();
        return s;
    }

    static WebServer start(Optional<String> password, ModeControl modes) {
        return start(password, modes, new WebServer.Limits(Duration.ofSeconds(2), Duration.ofSeconds(2)));
    }

    static InetSocketAddress address(WebServer s) {
        return s.address().orElseThrow(() -> new AssertionError("the server did not bind"));
    }
}
