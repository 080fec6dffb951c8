package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/reports"
)

// agentReport reads the shop and range of a report request (the last seven days when
// from and to are not given) and builds it.
func (s *Server) agentReport(c *gin.Context) (*reports.Report, bool) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return nil, false
	}
	ctx := c.Request.Context()
	r := reports.Range{From: c.Query("from"), To: c.Query("to")}
	if r.From == "" || r.To == "" {
		def, err := s.Reports.DefaultRange(ctx, shopID)
		if err != nil {
			s.fail(c, err)
			return nil, false
		}
		if r.From == "" {
			r.From = def.From
		}
		if r.To == "" {
			r.To = def.To
		}
	}
	rep, err := s.Reports.Build(ctx, shopID, r)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return rep, true
}

// agentReportJSON answers the daily figures per agent.
func (s *Server) agentReportJSON(c *gin.Context) {
	if rep, ok := s.agentReport(c); ok {
		c.JSON(http.StatusOK, rep)
	}
}

// agentReportCSV answers the daily figures per agent as a CSV file (UTF-8 with BOM).
func (s *Server) agentReportCSV(c *gin.Context) {
	lang := c.Query("lang")
	if lang != "" && lang != "en" && lang != "zh-CN" {
		invalid(c, "lang", "must be en or zh-CN")
		return
	}
	rep, ok := s.agentReport(c)
	if !ok {
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="agent-report-`+rep.From+`-`+rep.To+`.csv"`)
	c.Status(http.StatusOK)
	if err := reports.WriteCSV(c.Writer, rep, lang); err != nil {
		requestLog(c).Error("write report csv", "err", err)
	}
}
