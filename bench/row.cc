#include "row.h"

#include <cstdio>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sealstate::bench {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void NumberField(Writer& w, const char* key, double value) {
  w.Key(key);
  w.Double(value);
}

void StringField(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void WriteSummary(Writer& w, const char* key, const Summary& s) {
  w.Key(key);
  if (s.n == 0) {
    w.Null();
    return;
  }
  w.StartObject();
  NumberField(w, "median", s.median);
  NumberField(w, "p10", s.p10);
  NumberField(w, "p90", s.p90);
  NumberField(w, "p99", s.p99);
  w.Key("n");
  w.Uint64(s.n);
  w.EndObject();
}

void WritePhases(Writer& w, const Row& row) {
  w.Key("phases");
  w.StartObject();
  for (const auto& [name, value] : row.phases) {
    w.Key(name.c_str());
    w.Double(value);
  }
  w.EndObject();
}

std::string Format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// A figure with 3 significant-ish digits: 0.412, 12.3, 1234.
std::string Figure(double v) {
  if (v < 10) return Format("%.3f", v);
  if (v < 100) return Format("%.2f", v);
  if (v < 1000) return Format("%.1f", v);
  return Format("%.0f", v);
}

std::string Spread(const Summary& s) { return s.n == 0 ? "-" : Figure(s.p10) + "/" + Figure(s.p90); }

std::string MetText(const Row& row) {
  if (!row.met) return "report";
  return *row.met ? "met" : "MISSED";
}

}  // namespace

Row NewRow(std::string id, std::string title, std::string unit, const Summary& sealstate, std::string comparison,
           const Summary& floor) {
  Row row;
  row.id = std::move(id);
  row.title = std::move(title);
  row.unit = std::move(unit);
  row.sealstate = sealstate;
  row.comparison = std::move(comparison);
  row.floor = floor;
  return row;
}

double Ratio(const Row& row) {
  if (row.floor.n == 0 || row.floor.median <= 0) return 0;
  return row.sealstate.median / row.floor.median;
}

void JudgeRatio(Row& row, std::string target, double limit) {
  row.target = std::move(target);
  row.met = Ratio(row) <= limit;
}

std::string RowJson(const Row& row) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  StringField(w, "id", row.id);
  StringField(w, "row", row.title);
  StringField(w, "unit", row.unit);
  WriteSummary(w, "sealstate", row.sealstate);
  StringField(w, "comparison", row.comparison);
  WriteSummary(w, "comparison_figures", row.floor);
  w.Key("ratio");
  if (row.floor.n == 0) {
    w.Null();
  } else {
    w.Double(Ratio(row));
  }
  StringField(w, "target", row.target);
  w.Key("met");
  if (row.met) {
    w.Bool(*row.met);
  } else {
    w.Null();
  }
  WritePhases(w, row);
  StringField(w, "note", row.note);
  w.EndObject();
  return buffer.GetString();
}

std::string TableHeader() {
  char line[256];
  std::snprintf(line, sizeof line, "%-44s %10s %17s %10s %7s %-16s %s", "row", "sealstate", "p10/p90", "compared",
                "ratio", "target", "result");
  return line;
}

std::string TableLine(const Row& row) {
  const std::string ratio = row.floor.n == 0 ? "-" : Format("%.2fx", Ratio(row));
  const std::string compared = row.floor.n == 0 ? "-" : Figure(row.floor.median);
  char line[512];
  std::snprintf(line, sizeof line, "%-44s %10s %17s %10s %7s %-16s %s", (row.title + " [" + row.unit + "]").c_str(),
                Figure(row.sealstate.median).c_str(), Spread(row.sealstate).c_str(), compared.c_str(), ratio.c_str(),
                row.target.c_str(), MetText(row).c_str());
  return line;
}

}  // namespace sealstate::bench
