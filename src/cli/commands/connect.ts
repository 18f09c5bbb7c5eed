/** `vaultwire connect cluster <verb>` (connectors) and `vaultwire connect plugin <verb>`: the command groups and their help. */
import { commandGroup } from "../command.js";
import { connectClusterCreate } from "./connect-cluster-create.js";
import { connectClusterDelete, connectClusterPause, connectClusterRestart, connectClusterResume } from "./connect-cluster-lifecycle.js";
import { connectClusterDescribe, connectClusterList } from "./connect-cluster-list.js";
import { connectClusterUpdate } from "./connect-cluster-update.js";

export { connectPlugin } from "./connect-plugin.js";

export const CONNECT_HELP = `Manage connectors and see the managed connector plugins.

Usage:
  vaultwire connect [command]

Available Commands:
  cluster     Create and manage connectors.
  offset      Read, alter and reset connector offsets.
  plugin      Show the managed connector plugins and their fields.

Connectors live in a Kafka cluster: choose one with "vaultwire kafka cluster use <id>"
or pass --cluster to each command.

Use "vaultwire connect [command] --help" for more information about a command.
`;

export const CONNECT_CLUSTER_HELP = `Create and manage connectors.

Usage:
  vaultwire connect cluster [command]

Available Commands:
  create      Create a connector from a configuration file.
  delete      Delete connectors.
  describe    Describe a connector: status, tasks and configuration.
  list        List connectors.
  pause       Pause connectors.
  restart     Restart connectors and their tasks.
  resume      Resume paused connectors.
  update      Update a connector's configuration.

Use "vaultwire connect cluster [command] --help" for more information about a command.
`;

export const connectCluster = commandGroup("vaultwire connect cluster", CONNECT_CLUSTER_HELP, {
  create: connectClusterCreate,
  list: connectClusterList,
  describe: connectClusterDescribe,
  update: connectClusterUpdate,
  pause: connectClusterPause,
  resume: connectClusterResume,
  restart: connectClusterRestart,
  delete: connectClusterDelete,
});
