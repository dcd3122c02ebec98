//go:build unix && !linux

package nd

// mapPopulate is 0 where mmap has no MAP_POPULATE: pages fault in as read.
const mapPopulate = 0
