// What the planner knows of kleened's containers and volumes: plain data, in kleened's field
// names so that the API client's answers (src/kleened/types.ts) fit without copying, but owned
// here so that src/plan stands on the model alone and never on the wire types of one client.

/** One container as kleened lists it. */
export interface ContainerFacts {
  id: string;
  name: string;
  restart_policy?: 'no' | 'on-startup' | null;
  running?: boolean;
  jid?: number | null;
  /** Kept only to be sent back unchanged when the restart policy is updated (adopt). */
  network_driver?: string;
}

/** One mount of a container: a kleened volume (by name) or a nullfs host path. */
export interface MountFacts {
  type: 'volume' | 'nullfs';
  /** A volume name for `volume`, a host path for `nullfs`. */
  source: string;
  destination: string;
  read_only?: boolean;
}

/** One kleened volume: its dataset and the mountpoint kleened recorded (not read back from ZFS). */
export interface VolumeFacts {
  name: string;
  dataset: string;
  mountpoint: string;
}
