package reports_test

import (
	"errors"

	"github.com/chatbridge/chatbridge/models"
)

func asInvalid(err error, inv **models.InvalidError) bool { return errors.As(err, inv) }
