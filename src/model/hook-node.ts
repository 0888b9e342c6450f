// How node runs the boot hook. rc.d/kleene_containers passes this option and the bench runs the
// hook with it too, so that what is measured is what boots.

/**
 * A young generation of at most 2 MiB a semi-space (V8's default grows to 16): the hook's
 * garbage is short-lived (jls and HTTP answers), and the default let peak RSS at 500 containers
 * reach 78–82 MiB against an 80 MiB budget; with it, about 70 MiB for about 3 % more CPU
 * (`npm run bench`). node takes it only on its command line: set at run time it does nothing.
 */
export const HOOK_NODE_OPTION = '--max-semi-space-size=2';
