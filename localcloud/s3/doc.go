// Package s3 is the local cloud's Amazon S3: the REST-XML wire protocol
// (path-style and virtual-host-style addressing) in front of a Storage, and
// FileStore, a Storage that keeps every object as a plain file under
// <data>/s3/<bucket>/<key>, so people can look at what jobs wrote.
//
// Protocol and storage are apart: Server only translates HTTP into Storage
// calls and Storage errors into S3 error codes, and other in-process
// components may use the same Storage directly.
//
// FileStore layout:
//
//	<data>/s3/<bucket>/<key>            object bytes, one file per key
//	<data>/s3meta/<bucket>/<key>%meta   sidecar: content type, ETag, user metadata, checksums
//	<data>/s3meta/.buckets/<bucket>     bucket record (creation time)
//	<data>/s3meta/.uploads/<id>/        multipart uploads in progress
//	<data>/s3meta/.tmp/                 files being written (renamed into place)
//
// Key segments ("/"-separated) are file names; a segment that is empty, "."
// or ".." or that contains "%" or NUL is escaped with %XX so every key maps
// to exactly one path. Because a path cannot be a file and a directory at
// once, keys "a" and "a/b" cannot both exist: the second one is refused
// with the error code KeyConflict.
package s3
