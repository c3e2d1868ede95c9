package s3

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// createBucket serves CreateBucket. The location constraint must name the
// server's region, and none is given in us-east-1, as on AWS. Creating a
// bucket one already owns succeeds in us-east-1 and is
// BucketAlreadyOwnedByYou elsewhere, as on AWS.
func (s *Server) createBucket(w http.ResponseWriter, r *http.Request, bucket string) error {
	if err := ValidateBucketName(bucket); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return err
	}
	constraint := ""
	if len(strings.TrimSpace(string(body))) > 0 {
		var cfg createBucketConfiguration
		if err := decodeXML(body, &cfg); err != nil {
			return err
		}
		constraint = cfg.LocationConstraint
	}
	switch {
	case constraint == "" && s.region != "us-east-1":
		return awsproto.Errorf(http.StatusBadRequest, "IllegalLocationConstraintException",
			"the unspecified location constraint is incompatible with this endpoint's region %s; set CreateBucketConfiguration.LocationConstraint to %s", s.region, s.region)
	case constraint != "" && s.region == "us-east-1" && constraint == "us-east-1":
		return awsproto.Errorf(http.StatusBadRequest, "InvalidLocationConstraint",
			"the specified location constraint us-east-1 is not valid; in us-east-1 send no CreateBucketConfiguration").With("LocationConstraint", constraint)
	case constraint != "" && constraint != s.region:
		return awsproto.Errorf(http.StatusBadRequest, "IllegalLocationConstraintException",
			"the %s location constraint is incompatible with this endpoint's region %s", constraint, s.region)
	}
	err = s.store.CreateBucket(r.Context(), bucket)
	if errors.Is(err, ErrBucketAlreadyOwned) && s.region == "us-east-1" {
		err = nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/"+bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}
