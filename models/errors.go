package models

// InvalidError is a request the domain cannot carry out as asked: Field names the input
// at fault, Reason says why. The API answers it 400.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Reason }
