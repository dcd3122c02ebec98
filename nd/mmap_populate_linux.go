package nd

import "syscall"

// mapPopulate asks mmap to load the pages at once (Linux's MAP_POPULATE):
// faulting them in one by one costs more than the read it saves.
const mapPopulate = syscall.MAP_POPULATE
