//! Reference data: Jiangxi's districts and the Shanghai Free Trade Zone areas.
//!
//! They are written at start when missing (so a database without the demo still has them) and
//! then held in memory for the life of the process: they change by release, not by request, and
//! a district on every company costs no SQL.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, QueryOrder};

use crate::domain::DistrictCode;
use crate::entities::{district, ftz_area};
use crate::error::AppResult;

/// The eight areas of the China (Shanghai) Pilot Free Trade Zone: code, English, Chinese.
pub const FTZ_AREAS: [(&str, &str, &str); 8] = [
    (
        "waigaoqiao_ftz",
        "Waigaoqiao Free Trade Zone",
        "外高桥保税区",
    ),
    (
        "waigaoqiao_logistics_park",
        "Waigaoqiao Free Trade Logistics Park",
        "外高桥保税物流园区",
    ),
    (
        "yangshan_port",
        "Yangshan Free Trade Port Area",
        "洋山保税港区",
    ),
    (
        "pudong_airport",
        "Pudong Airport Comprehensive Free Trade Zone",
        "浦东机场综合保税区",
    ),
    ("lujiazui", "Lujiazui Financial Area", "陆家嘴金融片区"),
    ("jinqiao", "Jinqiao Development Area", "金桥开发片区"),
    ("zhangjiang", "Zhangjiang Hi-Tech Park", "张江高科技片区"),
    ("lingang", "Lingang New Area", "临港新片区"),
];

/// The reference data, loaded once.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    pub districts: Vec<district::Model>,
    pub ftz_areas: Vec<ftz_area::Model>,
    district_by_id: HashMap<i64, usize>,
    district_by_code: HashMap<DistrictCode, usize>,
    ftz_by_id: HashMap<i64, usize>,
}

impl Reference {
    pub fn district(&self, id: i64) -> Option<&district::Model> {
        self.district_by_id.get(&id).map(|&i| &self.districts[i])
    }

    pub fn district_by_code(&self, code: DistrictCode) -> Option<&district::Model> {
        self.district_by_code
            .get(&code)
            .map(|&i| &self.districts[i])
    }

    pub fn ftz_area(&self, id: i64) -> Option<&ftz_area::Model> {
        self.ftz_by_id.get(&id).map(|&i| &self.ftz_areas[i])
    }
}

/// Writes the reference rows that are missing; never changes existing ones.
pub async fn ensure(db: &DatabaseConnection) -> AppResult<()> {
    let districts = DistrictCode::ALL.into_iter().map(|code| {
        let (en, zh, _) = code.names();
        district::ActiveModel {
            code: Set(code),
            name_en: Set(en.into()),
            name_zh: Set(zh.into()),
            ..Default::default()
        }
    });
    district::Entity::insert_many(districts)
        .on_conflict(
            OnConflict::column(district::Column::Code)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let areas = FTZ_AREAS
        .into_iter()
        .map(|(code, en, zh)| ftz_area::ActiveModel {
            code: Set(code.into()),
            name_en: Set(en.into()),
            name_zh: Set(zh.into()),
            ..Default::default()
        });
    ftz_area::Entity::insert_many(areas)
        .on_conflict(
            OnConflict::column(ftz_area::Column::Code)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn load(db: &DatabaseConnection) -> AppResult<Arc<Reference>> {
    let districts = district::Entity::find()
        .order_by_asc(district::Column::Id)
        .all(db)
        .await?;
    let ftz_areas = ftz_area::Entity::find()
        .order_by_asc(ftz_area::Column::Id)
        .all(db)
        .await?;
    Ok(Arc::new(Reference {
        district_by_id: districts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id, i))
            .collect(),
        district_by_code: districts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code, i))
            .collect(),
        ftz_by_id: ftz_areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id, i))
            .collect(),
        districts,
        ftz_areas,
    }))
}
