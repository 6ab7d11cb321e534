//! Exports: CSV and XLSX tables in French with typed cells, the DECP v2 file that validates
//! against the official schema and re-imports as nothing new, who may export, and what a bad
//! query gets.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp, BUYER_SIRET};
use suivi_http::tenants::{name_buyer, NamedBy};

const BUYER_NAME: &str = "Communauté d'agglomération du Grand Agglo";

fn today() -> String {
    suivi_application::business_today().to_string()
}

/// A contract notified on 2025-01-15 (833 h committed), with 100 h validated and 50 h rejected in
/// March 2025, settled today; the buyer named; the read models caught up. Its id.
async fn settled_contract(app: &TestApp) -> String {
    name_buyer(&app.db.pool, &app.tenant, BUYER_SIRET, BUYER_NAME, NamedBy::Administrator).await.unwrap();
    let id = app.award(&award_body()).await;
    let steps = [
        ("instalments", &app.tokens.contractor, instalment_body(1, "1000000.00", &[("EMP-1", "100"), ("EMP-2", "50")])),
        (
            "statement-reviews",
            &app.tokens.facilitator,
            json!({ "instalment_number": 1, "decisions": [
                { "line_id": 1, "decision": { "kind": "validated" } },
                { "line_id": 2, "decision": { "kind": "rejected", "reason": "Aucun justificatif" } } ] }),
        ),
        (
            "instalment-approvals",
            &app.tokens.buyer,
            json!({ "number": 1, "approved_on": today(), "other_deductions_ttc": "0.00" }),
        ),
        ("settlement", &app.tokens.buyer, json!({ "final_amount_ht": "1000000.00", "settled_on": today() })),
    ];
    for (path, token, body) in steps {
        let response = app.post(&format!("/api/contracts/{id}/{path}"), token, &body).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}: {}", response.text().await.unwrap());
    }
    app.catch_up().await;
    id
}

/// The body of a successful export, checked for its media type.
async fn download(app: &TestApp, path: &str, token: &str, media_type: &str) -> Vec<u8> {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(response.headers()["content-type"], media_type, "{path}");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename="));
    assert!(response.headers().contains_key("suivi-lag-events"));
    response.bytes().await.unwrap().to_vec()
}

/// A CSV as header → value maps, after checking its byte-order mark and separator.
fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark, for Excel");
    let mut lines = text.split("\r\n").filter(|line| !line.is_empty());
    let headers: Vec<String> = lines.next().unwrap().split(';').map(str::to_owned).collect();
    let rows = lines
        .map(|line| headers.iter().cloned().zip(line.split(';').map(str::to_owned)).collect::<HashMap<_, _>>())
        .collect();
    (headers, rows)
}

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::test]
async fn csv_exports_are_in_french_with_the_figures_as_the_api_writes_them() {
    let app = TestApp::spawn().await;
    let id = settled_contract(&app).await;
    let as_of = today();

    let csv = download(&app, "/api/exports/contracts.csv?year=2025", &app.tokens.buyer, CSV).await;
    let (headers, rows) = csv_rows(&csv);
    assert_eq!(headers[..3], ["Identifiant du marché", "Objet", "Acheteur"]);
    assert_eq!(headers.last().map(String::as_str), Some("Données au"));
    let [row] = rows.as_slice() else { panic!("one contract: {rows:?}") };
    let expected = [
        ("Identifiant du marché", id.as_str()),
        ("Objet", "Réhabilitation du gymnase — lot 2 gros œuvre"),
        ("Acheteur", BUYER_NAME),
        ("SIRET de l'acheteur", BUYER_SIRET),
        ("Statut", "Soldé"),
        ("Date de notification", "2025-01-15"),
        ("Montant initial HT (€)", "1000000.00"),
        ("Considérations sociales", "Clause sociale"),
        ("Heures d'insertion prévues", "833"),
        ("Heures validées", "100"),
        ("Heures rejetées", "50"),
        ("Date du solde", as_of.as_str()),
        ("Données au", as_of.as_str()),
    ];
    for (header, value) in expected {
        assert_eq!(row[header], value, "{header}");
    }
    // Another year has no contract: the header line alone.
    let other_year = download(&app, "/api/exports/contracts.csv?year=2024", &app.tokens.facilitator, CSV).await;
    assert!(csv_rows(&other_year).1.is_empty());

    let csv = download(&app, "/api/exports/statement-lines.csv?year=2025", &app.tokens.facilitator, CSV).await;
    let (_, lines) = csv_rows(&csv);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["Catégorie de public"], "Demandeur d'emploi de longue durée");
    assert_eq!(lines[0]["Modalité"], "Embauche directe");
    assert_eq!((lines[0]["Heures"].as_str(), lines[0]["Examen"].as_str()), ("100", "Validée"));
    assert_eq!((lines[1]["Heures"].as_str(), lines[1]["Examen"].as_str()), ("50", "Rejetée"));
    assert_eq!(lines[1]["Mois"], "2025-03-01");

    let settled_year = &as_of[..4];
    let path = format!("/api/exports/penalties.csv?year={settled_year}&buyer={BUYER_SIRET}");
    let (_, penalties) = csv_rows(&download(&app, &path, &app.tokens.admin, CSV).await);
    let [penalty] = penalties.as_slice() else { panic!("one penalty: {penalties:?}") };
    assert_eq!(penalty["Pénalité proposée HT (€)"], "43980.00");
    assert_eq!(penalty["Heures manquantes"], "733");
    assert_eq!(penalty["Décision"], "À décider");

    let (_, figures) = csv_rows(&download(&app, "/api/exports/indicators.csv?year=2025", &app.tokens.buyer, CSV).await);
    let figure = |scope: &str, name: &str| {
        figures
            .iter()
            .find(|row| row["Périmètre"] == scope && row["Indicateur"] == name)
            .map(|row| (row["Valeur"].clone(), row["Unité"].clone()))
    };
    assert_eq!(figure("Ensemble de l'organisation", "Marchés notifiés"), Some(("1".into(), "nombre".into())));
    assert_eq!(figure(BUYER_NAME, "Montant notifié"), Some(("1000000.00".into(), "€ HT".into())));
    assert_eq!(figure(BUYER_NAME, "Heures validées — Embauche directe"), Some(("100".into(), "heures".into())));
}

#[tokio::test]
async fn xlsx_exports_are_workbooks_with_typed_cells() {
    let app = TestApp::spawn().await;
    let id = settled_contract(&app).await;

    let bytes = download(&app, "/api/exports/contracts.xlsx?year=2025", &app.tokens.buyer, XLSX).await;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("an XLSX workbook");
    let sheet = workbook.worksheet_range("Marchés").expect("the sheet");
    let headers: Vec<String> = sheet.rows().next().unwrap().iter().map(|cell| cell.to_string()).collect();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap_or_else(|| panic!("{name}"));
    let row = sheet.rows().nth(1).expect("one contract");
    assert_eq!(sheet.rows().count(), 2);
    assert_eq!(row[column("Identifiant du marché")], Data::String(id));
    assert_eq!(row[column("Acheteur")], Data::String(BUYER_NAME.into()));
    assert_eq!(row[column("Statut")], Data::String("Soldé".into()));
    match &row[column("Date de notification")] {
        // 2025-01-15 is day 45 672 of Excel's calendar.
        Data::DateTime(date) => assert_eq!((date.is_datetime(), date.as_f64()), (true, 45672.0)),
        other => panic!("a date cell, not {other:?}"),
    }
    assert_eq!(row[column("Montant initial HT (€)")], Data::Float(1_000_000.0));
    assert_eq!(row[column("Heures d'insertion prévues")], Data::Float(833.0));
    assert_eq!(row[column("Heures validées")], Data::Float(100.0));
    assert!(matches!(row[column("Données au")], Data::DateTime(_)));

    let bytes = download(&app, "/api/exports/statement-lines.xlsx?year=2025", &app.tokens.facilitator, XLSX).await;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = workbook.worksheet_range("Lignes d'états d'heures").unwrap();
    assert_eq!(sheet.rows().count(), 3);
    assert_eq!(sheet.rows().nth(2).unwrap()[10], Data::Float(50.0));

    for path in ["/api/exports/penalties.xlsx", "/api/exports/indicators.xlsx"] {
        let path = format!("{path}?year={}", &today()[..4]);
        let bytes = download(&app, &path, &app.tokens.admin, XLSX).await;
        let workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(workbook.sheet_names().len(), 1, "{path}");
    }
}

#[tokio::test]
async fn the_decp_export_is_valid_and_re_importing_it_records_nothing() {
    let app = TestApp::spawn().await;
    settled_contract(&app).await;
    let mut grouped = award_body();
    grouped["object"] = json!("Entretien des espaces verts");
    grouped["notification_date"] = json!("2024-06-03");
    grouped["ccag"] = Value::Null;
    grouped.as_object_mut().unwrap().remove("advance_terms");
    app.award(&grouped).await;
    app.catch_up().await;

    let bytes = download(&app, "/api/exports/decp.json", &app.tokens.buyer, "application/json").await;
    let file: Value = serde_json::from_slice(&bytes).expect("JSON");
    let records = file["marches"]["marche"].as_array().expect("the records");
    assert_eq!(records.len(), 2);
    let schema: Value =
        serde_json::from_str(include_str!("../data/decp/schema_decp_v2.0.3.json")).expect("the DECP schema");
    let validator = jsonschema::draft7::new(&schema).expect("a valid schema");
    let errors: Vec<String> = validator.iter_errors(&file).map(|e| format!("{}: {e}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let gym = records.iter().find(|r| r["dateNotification"] == "2025-01-15").unwrap();
    assert_eq!(gym["montant"], json!(1_000_000.0));
    assert_eq!(gym["tauxAvance"], json!(0.1));
    assert_eq!(gym["considerationsSociales"]["considerationSociale"], json!(["Clause sociale"]));
    let yearly = download(&app, "/api/exports/decp.json?year=2024", &app.tokens.admin, "application/json").await;
    let yearly: Value = serde_json::from_slice(&yearly).unwrap();
    assert_eq!(yearly["marches"]["marche"].as_array().map(Vec::len), Some(1));

    let path = std::env::temp_dir().join(format!("suivi-decp-export-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, &bytes).unwrap();
    let before = app.event_count().await;
    let counts = suivi::import::import_decp(&app.db.pool, &app.tenant, &path, |_| {}).await.expect("imported");
    std::fs::remove_file(&path).ok();
    assert_eq!((counts.imported, counts.already_imported, counts.rejected, counts.skipped), (0, 2, 0, 0));
    assert_eq!(app.event_count().await, before, "re-importing the export records nothing");
}

#[tokio::test]
async fn another_tenant_gets_none_of_these_contracts_and_a_contractor_none_at_all() {
    let app = TestApp::spawn().await;
    let id = settled_contract(&app).await;
    let token = &app.tokens.other_tenant_buyer;
    for path in
        ["contracts.csv?year=2025", "statement-lines.csv?year=2025", &format!("penalties.csv?year={}", &today()[..4])]
    {
        let csv = download(&app, &format!("/api/exports/{path}"), token, CSV).await;
        assert!(csv_rows(&csv).1.is_empty(), "{path}");
        assert!(!String::from_utf8_lossy(&csv).contains(&id));
    }
    let decp = download(&app, "/api/exports/decp.json", token, "application/json").await;
    assert_eq!(serde_json::from_slice::<Value>(&decp).unwrap(), json!({ "marches": { "marche": [] } }));
    let (_, figures) = csv_rows(&download(&app, "/api/exports/indicators.csv?year=2025", token, CSV).await);
    assert!(figures.iter().all(|row| row["Périmètre"] == "Ensemble de l'organisation"));
    assert!(figures.iter().any(|row| row["Indicateur"] == "Marchés notifiés" && row["Valeur"] == "0"));

    for token in [&app.tokens.contractor, &app.tokens.finance] {
        let response = app.get("/api/exports/contracts.xlsx?year=2025", token).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn a_bad_query_is_refused_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let cases = [
        ("contracts.csv", "year"),
        ("contracts.xlsx?year=1999", "year"),
        ("statement-lines.csv?year=2025&buyer=123", "buyer"),
        ("penalties.xlsx?year=2025&colour=red", "colour"),
        ("indicators.csv?year=2025&year=2024", "year"),
        ("decp.json?year=25", "year"),
    ];
    for (path, field) in cases {
        let response = app.get(&format!("/api/exports/{path}"), &app.tokens.buyer).await;
        // 422 `invalid_field`, as every list and the indicators answer a bad query parameter.
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], field, "{path}: {problem}");
        assert_eq!(problem["type"], "/problems/invalid_field");
    }
}
