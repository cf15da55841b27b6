package dualwan.mqtt;

import dualwan.config.MqttConfig;

/** Every topic this device uses; {@code P} is {@code mqtt.topic-prefix}. */
record Topics(String prefix, String discoveryPrefix, String deviceId) {

    static Topics of(MqttConfig config) {
        return new Topics(config.topicPrefix(), config.discoveryPrefix(), config.deviceId());
    }

    /** {@code P/availability}: retained {@code online}; the will (and a clean stop) make it {@code offline}. */
    String availability() {
        return prefix + "/availability";
    }

    /** {@code P/state}: retained, the state file's JSON. */
    String state() {
        return prefix + "/state";
    }

    /** {@code P/wan/NAME/state}: retained, one uplink with its latency and loss. */
    String uplink(String wan) {
        return prefix + "/wan/" + wan + "/state";
    }

    /** {@code P/event}: not retained, one message per switch. */
    String event() {
        return prefix + "/event";
    }

    /** {@code P/mode/set}: command, {@code auto} or an uplink name. */
    String modeCommand() {
        return prefix + "/mode/set";
    }

    /** {@code P/failover/set}: command, {@code PRESS}: force the next uplink. */
    String failoverCommand() {
        return prefix + "/failover/set";
    }

    /** Home Assistant's device-based discovery topic. */
    String discovery() {
        return discoveryPrefix + "/device/" + deviceId + "/config";
    }

    /** Home Assistant's birth and will topic. */
    String homeAssistantStatus() {
        return discoveryPrefix + "/status";
    }
}
