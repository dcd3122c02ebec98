// Package tensorboard writes a run's events as TensorBoard scalars: event
// files of TFRecords holding Event protocol buffers, as TensorFlow's and
// PyTorch's SummaryWriter write them, read by TensorBoard without any
// TensorFlow code here (the few protobuf fields are encoded by hand).
//
// A file is a sequence of records, each
//
//	uint64 length (little endian)
//	uint32 masked CRC-32C of the 8 length bytes
//	length bytes of data (one serialised Event)
//	uint32 masked CRC-32C of the data
//
// with mask(c) = ((c >> 15) | (c << 17)) + 0xa282ead8. The first Event
// holds file_version "brain.Event:2"; each later one wall_time, step and a
// summary of scalar values (tag, simple_value).
package tensorboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MaskedCRC is TFRecord's masked CRC-32C of b.
func MaskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// AppendRecord appends data framed as one TFRecord to dst.
func AppendRecord(dst, data []byte) []byte {
	var head [8]byte
	binary.LittleEndian.PutUint64(head[:], uint64(len(data)))
	dst = append(dst, head[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, MaskedCRC(head[:]))
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, MaskedCRC(data))
}

// MaxRecord bounds the length ReadRecord accepts: scalar events are a few
// dozen bytes, and a corrupt length must not make the reader allocate
// gigabytes.
const MaxRecord = 16 << 20

// ReadRecord reads one TFRecord from r, checking both CRCs. At the end of
// the input it returns io.EOF; a record cut short is io.ErrUnexpectedEOF.
func ReadRecord(r io.Reader) ([]byte, error) {
	var head [12]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(head[:8])
	if got, want := binary.LittleEndian.Uint32(head[8:]), MaskedCRC(head[:8]); got != want {
		return nil, fmt.Errorf("tensorboard: record length CRC is %#08x, want %#08x", got, want)
	}
	if n > MaxRecord {
		return nil, fmt.Errorf("tensorboard: record of %d bytes; at most %d expected", n, MaxRecord)
	}
	data := make([]byte, n+4)
	if _, err := io.ReadFull(r, data); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	crc := binary.LittleEndian.Uint32(data[n:])
	data = data[:n]
	if want := MaskedCRC(data); crc != want {
		return nil, fmt.Errorf("tensorboard: record data CRC is %#08x, want %#08x", crc, want)
	}
	return data, nil
}
